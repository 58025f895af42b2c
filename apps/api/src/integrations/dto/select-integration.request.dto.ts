import { ChannelType, CHANNELS } from '@app/integrations';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';

const MAX_NAME_LENGTH = 255;

/** The tenant a message is sent for; integrations' tenant conditions are evaluated against it. */
export class SelectionTenantDto {
  @ApiProperty({ type: String, example: 'acme', maxLength: MAX_NAME_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_NAME_LENGTH)
  identifier: string;

  @ApiPropertyOptional({ type: String, example: 'Acme Corp', maxLength: MAX_NAME_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  name?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Free-form tenant data; conditions read it as `data.<dotted path>`.',
    example: { plan: 'pro', seats: 25 },
  })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}

/** Body of `POST /v1/integrations/select` (docs/contract.md §8). */
export class SelectIntegrationRequestDto {
  @ApiProperty({ enum: [...CHANNELS], description: 'The channel of the message.', example: 'email' })
  @IsIn(CHANNELS)
  channel: ChannelType;

  @ApiPropertyOptional({ type: String, description: 'Only integrations of this provider.', example: 'sendgrid' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_NAME_LENGTH)
  providerId?: string;

  @ApiPropertyOptional({ type: String, description: 'That integration of the channel, or none.', maxLength: MAX_NAME_LENGTH })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_NAME_LENGTH)
  identifier?: string;

  @ApiPropertyOptional({ type: () => SelectionTenantDto, description: "Evaluate integrations' conditions for this tenant." })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SelectionTenantDto)
  tenant?: SelectionTenantDto;
}
