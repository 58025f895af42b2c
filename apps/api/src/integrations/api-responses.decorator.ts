import { applyDecorators, HttpStatus, Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorDto } from './dto/error.dto';
import { ConstraintValidationDto, ValidationErrorDto } from './dto/validation-error.dto';

/** A success response documented as the wire sends it: `{data: <model>}` or `{data: <model>[]}`. */
export function ApiDataResponse(status: HttpStatus, model: Type<unknown>, options: { isArray?: boolean; description?: string } = {}) {
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
    }),
  );
}

const ERROR_RESPONSES: ReadonlyArray<[HttpStatus, string]> = [
  [HttpStatus.BAD_REQUEST, 'Bad Request'],
  [HttpStatus.UNAUTHORIZED, 'Unauthorized'],
  [HttpStatus.FORBIDDEN, 'Forbidden'],
  [HttpStatus.NOT_FOUND, 'Not Found'],
  [HttpStatus.CONFLICT, 'Conflict'],
  [HttpStatus.PAYLOAD_TOO_LARGE, 'Payload Too Large'],
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Unsupported Media Type'],
  [HttpStatus.INTERNAL_SERVER_ERROR, 'Internal Server Error'],
];

/** The error responses every integrations route can give (ErrorDto; 422 is a ValidationErrorDto). */
export function ApiErrorResponses() {
  return applyDecorators(
    ApiExtraModels(ErrorDto, ValidationErrorDto, ConstraintValidationDto),
    ...ERROR_RESPONSES.map(([status, description]) => ApiResponse({ status, description, type: ErrorDto })),
    ApiResponse({ status: HttpStatus.UNPROCESSABLE_ENTITY, description: 'Unprocessable Entity', type: ValidationErrorDto }),
  );
}
