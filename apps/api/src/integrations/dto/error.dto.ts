import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The body of every error response (docs/contract.md §1). */
export class ErrorDto {
  @ApiProperty({ type: Number, description: 'HTTP status code of the error response.', example: 404 })
  statusCode: number;

  @ApiProperty({ type: String, description: 'Timestamp of when the error occurred.', example: '2024-12-12T13:00:00.000Z' })
  timestamp: string;

  @ApiProperty({
    type: String,
    description: 'The path where the error occurred.',
    example: '/v1/integrations/0b6f1d5e-3f0c-4a39-9d0e-6a0f3c1b2a11',
  })
  path: string;

  @ApiPropertyOptional({
    type: String,
    description: 'What went wrong.',
    example: 'Integration with id 0b6f1d5e-3f0c-4a39-9d0e-6a0f3c1b2a11 not found',
  })
  message?: string;

  @ApiPropertyOptional({ type: String, description: 'The HTTP reason phrase of the status code.', example: 'Not Found' })
  error?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Optional context object for additional error details (in the reference schema; this service does not send it, ' +
      'so the response examples leave it out).',
  })
  ctx?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: String,
    description: 'Unique identifier of the error, also written to the server log with its cause; only for 500.',
    example: '2f1e4b6a-8c3d-4e5f-9a0b-1c2d3e4f5a6b',
  })
  errorId?: string;

  @ApiPropertyOptional({
    type: String,
    description:
      'The id of the request: the X-Request-Id it was sent with when that was 1–128 characters of [A-Za-z0-9._:-], ' +
      'otherwise one the service generated. Also in the X-Request-Id response header and in the server log.',
    example: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  })
  requestId?: string;
}
