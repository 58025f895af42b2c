import { FieldProblems, IntegrationError, IntegrationErrorCode } from '@app/integrations';
import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import { sendError } from './error-body';
import { redactFieldProblems, VALIDATION_ERROR_MESSAGE } from './request-validation';

/** Every domain error code → its HTTP status. Exhaustive: a new code without a status does not compile. */
export const INTEGRATION_ERROR_STATUS: Record<IntegrationErrorCode, HttpStatus> = {
  ENVIRONMENT_NOT_FOUND: HttpStatus.NOT_FOUND,
  ENVIRONMENT_FORBIDDEN: HttpStatus.FORBIDDEN,
  INTEGRATION_NOT_FOUND: HttpStatus.NOT_FOUND,
  INVALID_INTEGRATION: HttpStatus.UNPROCESSABLE_ENTITY,
  CREDENTIALS_CHECK_FAILED: HttpStatus.BAD_REQUEST,
  NOVU_IN_APP_EXISTS: HttpStatus.BAD_REQUEST,
  NOVU_PROVIDER_EXISTS: HttpStatus.CONFLICT,
  NOVU_PROVIDER_NOT_ALLOWED: HttpStatus.BAD_REQUEST,
  IDENTIFIER_TAKEN: HttpStatus.CONFLICT,
  PRIMARY_NOT_SUPPORTED: HttpStatus.BAD_REQUEST,
  NO_PROPERTIES_TO_UPDATE: HttpStatus.BAD_REQUEST,
};

/**
 * Status, message and `errors` of a domain error (pure, for the filter and its tests). A 422 that
 * names properties (INVALID_INTEGRATION) has the DTO-validation shape:
 * message "Validation Error" and the `errors` map; the domain's own text is in the map's messages.
 * The map passes through the same echo allow-list as DTO validation: a use case that attaches a
 * `value` cannot leak a credential or a long raw input through it.
 */
export function describeIntegrationError(error: IntegrationError): { status: HttpStatus; message: string; errors?: FieldProblems } {
  const status = INTEGRATION_ERROR_STATUS[error.code];
  if (error.code === 'INVALID_INTEGRATION') {
    return { status, message: VALIDATION_ERROR_MESSAGE, errors: redactFieldProblems(error.fields ?? {}) };
  }
  if (error.fields && Object.keys(error.fields).length > 0) {
    return {
      status,
      message: status === HttpStatus.UNPROCESSABLE_ENTITY ? VALIDATION_ERROR_MESSAGE : error.message,
      errors: redactFieldProblems(error.fields),
    };
  }
  return { status, message: error.message };
}

/** Domain errors → the standard error body, by code (never by message text). */
@Catch(IntegrationError)
export class DomainErrorFilter implements ExceptionFilter<IntegrationError> {
  catch(error: IntegrationError, host: ArgumentsHost): void {
    const { status, message, errors } = describeIntegrationError(error);
    sendError(host, status, message, errors ? { errors } : {});
  }
}
