import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { reasonPhrase, sendError } from './error-body';
import { boundedPath } from './framework-errors';
import { RequestValidationException } from './request-validation';
import { respondWithInternalError } from './unhandled-exception.filter';

/**
 * Fastify body errors arrive as HttpException with the Fastify error as `cause` (docs/architecture.md, stack note 10).
 * Their status is fixed here by code, whatever the adapter passed on.
 */
const FASTIFY_BODY_ERRORS: Record<string, { status: HttpStatus; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: HttpStatus.BAD_REQUEST, message: 'Request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: HttpStatus.BAD_REQUEST,
    message: "Body cannot be empty when content-type is set to 'application/json'",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: HttpStatus.BAD_REQUEST, message: 'Request body size did not match Content-Length' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: HttpStatus.PAYLOAD_TOO_LARGE, message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, message: 'Unsupported Media Type: send application/json' },
};

export interface DescribedHttpException {
  status: number;
  message: string;
  errors?: RequestValidationException['errors'];
}

/** Status, message and `errors` of an HttpException (pure, for the filter and its tests). */
export function describeHttpException(exception: HttpException): DescribedHttpException {
  const fastify = fastifyBodyError(exception.cause);
  if (fastify) return fastify;

  const status = exception.getStatus();
  if (exception instanceof RequestValidationException) {
    return { status, message: messageOf(exception.getResponse(), status), errors: exception.errors };
  }
  return { status, message: messageOf(exception.getResponse(), status) };
}

function fastifyBodyError(cause: unknown): DescribedHttpException | undefined {
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? FASTIFY_BODY_ERRORS[code] : undefined;
}

function messageOf(response: string | object, status: number): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return reasonPhrase(status);
}

/**
 * HttpExceptions (guards, pipes, Nest's 404 for unknown routes, Fastify body errors) → the standard
 * error body. A 500 HttpException is treated as unexpected: a 500 with an `errorId`, its text only logged.
 * Other 5xx (503 …) are deliberate and pass through.
 */
@Catch(HttpException)
export class HttpExceptionFilter implements ExceptionFilter<HttpException> {
  private readonly logger = new Logger('HttpException');

  catch(exception: HttpException, host: ArgumentsHost): void {
    const described = describeHttpException(exception);
    if (described.status === HttpStatus.INTERNAL_SERVER_ERROR) {
      respondWithInternalError(exception, host, this.logger);
      return;
    }
    const message = routeNotFoundMessage(exception, host.switchToHttp().getRequest<FastifyRequest | undefined>()) ?? described.message;
    sendError(host, described.status, message, described.errors ? { errors: described.errors } : {});
  }
}

/**
 * Nest answers an unknown route with `Cannot <METHOD> <url>`: the whole URL, query string (which
 * may carry a token) included, up to Node's header limit. Recognised by comparing with exactly the
 * text Nest builds for this request, it becomes `Cannot <METHOD> <path>`, the path bounded and
 * without its query string.
 */
export function routeNotFoundMessage(
  exception: HttpException,
  request: Pick<FastifyRequest, 'method' | 'url'> | undefined,
): string | undefined {
  if (!(exception instanceof NotFoundException) || !request) return undefined;
  if (exception.message !== `Cannot ${request.method} ${request.url}`) return undefined;
  return `Cannot ${request.method} ${boundedPath(request.url)}`;
}
