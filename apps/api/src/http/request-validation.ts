import { FieldProblems } from '@app/integrations';
import { HttpStatus, UnprocessableEntityException } from '@nestjs/common';
import { ValidationError } from 'class-validator';

export const VALIDATION_ERROR_MESSAGE = 'Validation Error';

/** A 422 whose body carries `errors` keyed by dotted property path (rendered by HttpExceptionFilter). */
export class RequestValidationException extends UnprocessableEntityException {
  constructor(readonly errors: FieldProblems) {
    super({ statusCode: HttpStatus.UNPROCESSABLE_ENTITY, message: VALIDATION_ERROR_MESSAGE, errors });
  }
}

/**
 * Values never echoed back in a 422 (they are secrets, or parts of them): anything under
 * `credentials`, and the inbound webhook signing key.
 */
function mayEchoValue(path: string): boolean {
  return !(path === 'credentials' || path.startsWith('credentials.') || path === 'configurations.inboundWebhookSigningKey');
}

/**
 * class-validator's error tree → `{"credentials.apiKey": {messages, value?}, "conditions.0.children.0.operator": …}`.
 * Paths are dotted, array indexes included.
 */
export function flattenValidationErrors(errors: readonly ValidationError[], parentPath = ''): FieldProblems {
  const out: FieldProblems = {};
  for (const error of errors) {
    const path = parentPath ? `${parentPath}.${error.property}` : String(error.property);
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) {
      const entry: { messages: string[]; value?: unknown } = { messages: [...(out[path]?.messages ?? []), ...messages] };
      if (error.value !== undefined && mayEchoValue(path)) entry.value = error.value;
      out[path] = entry;
    }
    if (error.children?.length) Object.assign(out, flattenValidationErrors(error.children, path));
  }
  return out;
}

/** The ValidationPipe's `exceptionFactory`: a 422 with every failing path. */
export function validationExceptionFactory(errors: ValidationError[]): RequestValidationException {
  return new RequestValidationException(flattenValidationErrors(errors));
}
