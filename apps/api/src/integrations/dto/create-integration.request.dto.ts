import { ChannelType, CHANNELS, INTEGRATION_KINDS, IntegrationKind } from '@app/integrations';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';

/** Longest name and identifier (the identifier sits in a unique index, whose rows are bounded). */
export const MAX_NAME_LENGTH = 255;
import { ConfigurationsDto } from './configurations.dto';
import { CredentialsDto } from './credentials.dto';
import { StepFilterDto } from './step-filter.dto';

/** Body of `POST /v1/integrations`. Unknown keys, at any depth, are refused with a 422 naming them. */
export class CreateIntegrationRequestDto {
  @ApiPropertyOptional({
    type: String,
    description: 'The name of the integration (default: the provider display name)',
    example: 'SendGrid',
    maxLength: MAX_NAME_LENGTH,
  })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(MAX_NAME_LENGTH)
  name?: string;

  @ApiPropertyOptional({
    type: String,
    description: 'The unique identifier for the integration (default: slug of the name plus a random suffix)',
    example: 'sendgrid-main',
    maxLength: MAX_NAME_LENGTH,
  })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'identifier must not be blank' })
  @MaxLength(MAX_NAME_LENGTH)
  identifier?: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', description: 'The ID of the associated environment' })
  @IsOptional()
  @IsString()
  _environmentId?: string;

  @ApiProperty({ type: String, description: 'The provider ID for the integration', example: 'sendgrid' })
  @IsString()
  @IsNotEmpty()
  providerId: string;

  @ApiPropertyOptional({
    enum: [...CHANNELS],
    description: "The channel type for the integration. Not required for agent-kind integrations; defaults to the provider's channel.",
  })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: ChannelType;

  @ApiPropertyOptional({
    enum: [...INTEGRATION_KINDS],
    description:
      'Distinguishes delivery integrations from agent-runtime integrations. Defaults to "delivery". Agent integrations do not require a channel.',
  })
  @IsOptional()
  @IsIn(INTEGRATION_KINDS)
  kind?: IntegrationKind;

  @ApiPropertyOptional({ type: () => CredentialsDto, description: 'The credentials for the integration' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CredentialsDto)
  credentials?: CredentialsDto;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'If the integration is active, the validation on the credentials field will run',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: Boolean, description: 'Flag to check the integration status', default: false })
  @IsOptional()
  @IsBoolean()
  check?: boolean;

  @ApiPropertyOptional({ type: () => [StepFilterDto], description: 'Conditions for the integration' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => StepFilterDto)
  conditions?: StepFilterDto[];

  @ApiPropertyOptional({ type: () => ConfigurationsDto, description: 'Configurations for the integration' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConfigurationsDto)
  configurations?: ConfigurationsDto;
}
