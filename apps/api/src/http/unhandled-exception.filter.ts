import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from './database-unavailable';
import { sendError } from './error-body';

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/**
 * Answers an unexpected failure with a 500 that reveals nothing internal, and logs the cause under a
 * fresh `errorId` (the id is also in the response, so a report can be matched to the log). Logs the
 * method, URL and error only: never the request body, headers or credentials.
 */
export function respondWithInternalError(exception: unknown, host: ArgumentsHost, logger: Logger): void {
  const errorId = randomUUID();
  const where = describeRequest(host);
  const stack = exception instanceof Error ? exception.stack ?? `${exception.name}: ${exception.message}` : String(exception);
  logger.error(`Unhandled error ${errorId} on ${where}`, stack);
  sendError(host, HttpStatus.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_MESSAGE, { errorId });
}

/** `POST /v1/integrations` — method and URL only, for log lines (never headers or body). */
function describeRequest(host: ArgumentsHost): string {
  const request = host.switchToHttp().getRequest<FastifyRequest | undefined>();
  return request ? `${request.method} ${request.url}` : 'unknown request';
}

/**
 * Catch-all: PostgreSQL unreachable, overloaded or timing out → 503 with `Retry-After: 1` (the
 * client may retry; nothing was committed); anything else no other filter handled → a 500 with an
 * `errorId`.
 */
@Catch()
export class UnhandledExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('UnhandledException');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (isDatabaseUnavailable(exception)) {
      const reason = exception instanceof Error ? exception.message : String(exception);
      this.logger.warn(`Database unavailable on ${describeRequest(host)}: ${reason}`);
      void host.switchToHttp().getResponse<FastifyReply>().header('Retry-After', '1');
      sendError(host, HttpStatus.SERVICE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE);
      return;
    }
    respondWithInternalError(exception, host, this.logger);
  }
}
