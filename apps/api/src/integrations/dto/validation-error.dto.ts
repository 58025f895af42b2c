import { ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { ErrorDto } from './error.dto';

@ApiSchema({ name: 'ConstraintValidation' })
export class ConstraintValidationDto {
  @ApiProperty({ type: [String], description: 'List of validation error messages', example: ['providerId must be a string'] })
  messages: string[];

  @ApiPropertyOptional({
    description: 'Value that failed validation',
    oneOf: [{ type: 'string', nullable: true }, { type: 'number' }, { type: 'boolean' }, { type: 'object' }, { type: 'array', items: {} }],
    example: 42,
  })
  value?: unknown;
}

/** The 422 body: the standard error fields plus `errors`, keyed by dotted property path. */
export class ValidationErrorDto extends ErrorDto {
  @ApiProperty({
    type: 'object',
    description: 'A record of validation errors keyed by dotted property path (`credentials.apiKey`, `conditions.0.children.0.operator`)',
    additionalProperties: { $ref: getSchemaPath(ConstraintValidationDto) },
    example: {
      providerId: { messages: ['providerId must be a string'], value: 42 },
      'credentials.apiKey': { messages: ['apiKey must be a string'], value: true },
      'conditions.0.children.0.operator': { messages: ['operator must be one of the following values: EQUAL, …'], value: 'EQUALS' },
    },
  })
  errors: Record<string, ConstraintValidationDto>;
}
