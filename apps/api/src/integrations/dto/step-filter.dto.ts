import { BUILDER_FIELD_TYPES, BuilderFieldType, FILTER_JOINS, FilterJoin } from '@app/integrations';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { FieldFilterPartDto } from './field-filter-part.dto';

/** A condition of an integration: its children joined by `value` (AND/OR), optionally negated. */
export class StepFilterDto {
  @ApiProperty({ type: Boolean, example: false })
  @IsBoolean()
  isNegated: boolean;

  @ApiPropertyOptional({ enum: [...BUILDER_FIELD_TYPES], enumName: 'BuilderFieldTypeEnum', example: 'BOOLEAN' })
  @IsOptional()
  @IsIn(BUILDER_FIELD_TYPES)
  type?: BuilderFieldType;

  @ApiProperty({ enum: [...FILTER_JOINS], example: 'AND' })
  @IsIn(FILTER_JOINS)
  value: FilterJoin;

  @ApiProperty({ type: () => [FieldFilterPartDto] })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => FieldFilterPartDto)
  children: FieldFilterPartDto[];
}
