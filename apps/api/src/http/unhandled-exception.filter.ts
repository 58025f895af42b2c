import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CollapsedLog, DEFAULT_COLLAPSE_INTERVAL_MS, LogClock, systemLogClock } from './collapsed-log';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from './database-unavailable';
import { sendError } from './error-body';

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';
export const INCOMPLETE_BODY_MESSAGE = 'The request body was not received completely';

/**
 * Answers an unexpected failure with a 500 that reveals nothing internal, and logs the cause under a
 * fresh `errorId` (the id is also in the response, so a report can be matched to the log). Logs the
 * method, URL and error only: never the request body, headers or credentials.
 */
export function respondWithInternalError(exception: unknown, host: ArgumentsHost, logger: Logger): void {
  const errorId = randomUUID();
  const where = describeRequest(host);
  const stack = exception instanceof Error ? (exception.stack ?? `${exception.name}: ${exception.message}`) : String(exception);
  logger.error(`Unhandled error ${errorId} on ${where}`, stack);
  sendError(host, HttpStatus.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_MESSAGE, { errorId });
}

/** `POST /v1/integrations` — method and URL only, for log lines (never headers or body). */
function describeRequest(host: ArgumentsHost): string {
  const request = host.switchToHttp().getRequest<FastifyRequest | undefined>();
  return request ? `${request.method} ${request.url}` : 'unknown request';
}

/**
 * Whether the request failed because its client went away while sending the body: Node fails the
 * request stream with "aborted" (ECONNRESET) and Fastify's body reader passes it on, tagged 400.
 */
export function isAbortedUpload(exception: unknown, request: FastifyRequest | undefined): boolean {
  if (!request?.raw.readableAborted && !request?.raw.aborted) return false;
  const code = typeof exception === 'object' && exception !== null ? (exception as { code?: unknown }).code : undefined;
  return code === 'ECONNRESET' || code === 'ECONNABORTED';
}

export interface UnhandledExceptionFilterOptions {
  /** How long repeated "Database unavailable" warnings are collapsed into one line (default 10 s). */
  readonly collapseIntervalMs?: number;
  readonly clock?: LogClock;
}

/**
 * Catch-all: PostgreSQL unreachable, overloaded or timing out → 503 with `Retry-After: 1` (the
 * client may retry; nothing was committed), its warning collapsed during an outage (one line per
 * interval with a count, not one per request); a client that aborted its upload → 400, logged at
 * debug level only (a client error, and the client is usually gone); anything else no other filter
 * handled → a 500 with an `errorId`.
 */
@Catch()
export class UnhandledExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('UnhandledException');
  private readonly databaseWarnings: CollapsedLog;

  constructor(options: UnhandledExceptionFilterOptions = {}) {
    this.databaseWarnings = new CollapsedLog(
      (line) => this.logger.warn(line),
      options.collapseIntervalMs ?? DEFAULT_COLLAPSE_INTERVAL_MS,
      options.clock ?? systemLogClock,
    );
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (isDatabaseUnavailable(exception)) {
      const reason = exception instanceof Error ? exception.message : String(exception);
      this.databaseWarnings.report(`Database unavailable on ${describeRequest(host)}: ${reason}`);
      void host.switchToHttp().getResponse<FastifyReply>().header('Retry-After', '1');
      sendError(host, HttpStatus.SERVICE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE);
      return;
    }
    if (isAbortedUpload(exception, host.switchToHttp().getRequest<FastifyRequest | undefined>())) {
      this.logger.debug(`Client aborted its upload on ${describeRequest(host)}`);
      // Usually nobody is left to read it; sending on a closed connection is a no-op.
      sendError(host, HttpStatus.BAD_REQUEST, INCOMPLETE_BODY_MESSAGE);
      return;
    }
    respondWithInternalError(exception, host, this.logger);
  }
}
