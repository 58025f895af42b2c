import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { sendError } from './error-body';

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/**
 * Answers an unexpected failure with a 500 that reveals nothing internal, and logs the cause under a
 * fresh `errorId` (the id is also in the response, so a report can be matched to the log). Logs the
 * method, URL and error only: never the request body, headers or credentials.
 */
export function respondWithInternalError(exception: unknown, host: ArgumentsHost, logger: Logger): void {
  const errorId = randomUUID();
  const request = host.switchToHttp().getRequest<FastifyRequest | undefined>();
  const where = request ? `${request.method} ${request.url}` : 'unknown request';
  const stack = exception instanceof Error ? exception.stack ?? `${exception.name}: ${exception.message}` : String(exception);
  logger.error(`Unhandled error ${errorId} on ${where}`, stack);
  sendError(host, HttpStatus.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_MESSAGE, { errorId });
}

/** Catch-all: anything no other filter handled becomes a 500 with an `errorId`. */
@Catch()
export class UnhandledExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('UnhandledException');

  catch(exception: unknown, host: ArgumentsHost): void {
    respondWithInternalError(exception, host, this.logger);
  }
}
