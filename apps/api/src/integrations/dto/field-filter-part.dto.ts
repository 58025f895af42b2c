import { FILTER_OPERATORS, FILTER_SOURCES, FilterOperator, FilterSource } from '@app/integrations';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString } from 'class-validator';

/** One comparison of a condition: `<on>.<field> <operator> <value>`. */
export class FieldFilterPartDto {
  @ApiProperty({ type: String, example: 'isOnline' })
  @IsString()
  field: string;

  @ApiProperty({ type: String, example: 'true' })
  @IsString()
  value: string;

  @ApiProperty({ enum: [...FILTER_OPERATORS], example: 'EQUAL' })
  @IsIn(FILTER_OPERATORS)
  operator: FilterOperator;

  @ApiProperty({ enum: [...FILTER_SOURCES], example: 'subscriber' })
  @IsIn(FILTER_SOURCES)
  on: FilterSource;
}
