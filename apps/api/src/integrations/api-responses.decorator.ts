import { IntegrationError } from '@app/integrations';
import { applyDecorators, HttpStatus, Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../http/database-unavailable';
import { INTERNAL_ERROR_MESSAGE } from '../http/unhandled-exception.filter';
import { ErrorDto } from './dto/error.dto';
import { ConstraintValidationDto, ValidationErrorDto } from './dto/validation-error.dto';

/** A success response documented as the wire sends it: `{data: <model>}` or `{data: <model>[]}`. */
export function ApiDataResponse(
  status: HttpStatus,
  model: Type<unknown>,
  options: { isArray?: boolean; description?: string; example?: { data: unknown } } = {},
) {
  const item = { $ref: getSchemaPath(model) };
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status,
      description: options.description ?? (status === HttpStatus.CREATED ? 'Created' : 'OK'),
      schema: {
        type: 'object',
        required: ['data'],
        properties: { data: options.isArray ? { type: 'array', items: item } : item },
      },
      ...(options.example === undefined ? {} : { example: options.example }),
    }),
  );
}

const EXAMPLE_ID = '0b6f1d5e-3f0c-4a39-9d0e-6a0f3c1b2a11';
const EXAMPLE_TIMESTAMP = '2025-01-02T03:04:05.000Z';

/**
 * One example per error status, each as this service really answers it. Without them Swagger UI
 * builds every error example from the one ErrorDto schema: the same `statusCode` for every status,
 * an `errorId` on every one, and `additionalProp1` for the free-form `ctx` (which this service
 * never sends, so the examples leave it out). Messages come from the code that produces them where
 * it exports them, so that the examples follow it.
 */
const ERROR_RESPONSES: ReadonlyArray<{ status: HttpStatus; error: string; path: string; message: string }> = [
  { status: HttpStatus.BAD_REQUEST, error: 'Bad Request', path: '/v1/integrations', message: 'Request body is not valid JSON' },
  { status: HttpStatus.UNAUTHORIZED, error: 'Unauthorized', path: '/v1/integrations', message: 'API Key not found' },
  {
    status: HttpStatus.FORBIDDEN,
    error: 'Forbidden',
    path: '/v1/integrations',
    message: IntegrationError.environmentForbidden().message,
  },
  {
    status: HttpStatus.NOT_FOUND,
    error: 'Not Found',
    path: `/v1/integrations/${EXAMPLE_ID}`,
    message: IntegrationError.integrationNotFound(EXAMPLE_ID).message,
  },
  { status: HttpStatus.CONFLICT, error: 'Conflict', path: '/v1/integrations', message: IntegrationError.identifierTaken().message },
  { status: HttpStatus.PAYLOAD_TOO_LARGE, error: 'Payload Too Large', path: '/v1/integrations', message: 'Request body is too large' },
  {
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    error: 'Unsupported Media Type',
    path: '/v1/integrations',
    message: 'Unsupported Media Type: send application/json',
  },
  { status: HttpStatus.INTERNAL_SERVER_ERROR, error: 'Internal Server Error', path: '/v1/integrations', message: INTERNAL_ERROR_MESSAGE },
  { status: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable', path: '/v1/integrations', message: DATABASE_UNAVAILABLE_MESSAGE },
];

/** Only a 500 carries an `errorId` (the id under which its cause was logged). */
const EXAMPLE_ERROR_ID = '2f1e4b6a-8c3d-4e5f-9a0b-1c2d3e4f5a6b';

function errorExample({ status, error, path, message }: (typeof ERROR_RESPONSES)[number]): Record<string, unknown> {
  return {
    statusCode: status,
    timestamp: EXAMPLE_TIMESTAMP,
    path,
    message,
    error,
    ...(status === HttpStatus.INTERNAL_SERVER_ERROR ? { errorId: EXAMPLE_ERROR_ID } : {}),
  };
}

const VALIDATION_ERROR_EXAMPLE = {
  statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
  timestamp: EXAMPLE_TIMESTAMP,
  path: '/v1/integrations',
  message: 'Validation Error',
  error: 'Unprocessable Entity',
  errors: {
    channel: { messages: ['channel must be "email" for provider sendgrid'], value: 'sms' },
    'credentials.senderName': { messages: ['credentials.senderName is required by sendgrid when the integration is active'] },
  },
};

/** The error responses every integrations route can give (ErrorDto; 422 is a ValidationErrorDto), each with its own example. */
export function ApiErrorResponses() {
  return applyDecorators(
    ApiExtraModels(ErrorDto, ValidationErrorDto, ConstraintValidationDto),
    ...ERROR_RESPONSES.map((response) =>
      ApiResponse({ status: response.status, description: response.error, type: ErrorDto, example: errorExample(response) }),
    ),
    ApiResponse({
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      description: 'Unprocessable Entity',
      type: ValidationErrorDto,
      example: VALIDATION_ERROR_EXAMPLE,
    }),
  );
}
