import { IntegrationError } from '@app/integrations';
import { HttpException } from '@nestjs/common';
import { describeIntegrationError } from './domain-error.filter';
import { buildErrorBody, ErrorBody } from './error-body';
import { describeHttpException } from './http-exception.filter';

/**
 * The status and error body the filters will send for `exception` when it is a client error (4xx);
 * undefined for anything that becomes a 5xx (unknown errors, database outages, 5xx HttpExceptions).
 * The idempotency interceptor stores these outcomes; 5xx are never stored, so a retry can succeed.
 */
export function clientErrorResponse(exception: unknown, path: string): { status: number; body: ErrorBody } | undefined {
  let described: { status: number; message: string; errors?: ErrorBody['errors'] } | undefined;
  if (exception instanceof IntegrationError) described = describeIntegrationError(exception);
  else if (exception instanceof HttpException) described = describeHttpException(exception);
  if (!described || described.status < 400 || described.status >= 500) return undefined;
  return {
    status: described.status,
    body: buildErrorBody(described.status, path, described.message, described.errors ? { errors: described.errors } : {}),
  };
}
