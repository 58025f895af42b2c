import { STATUS_CODES } from 'node:http';
import { ArgumentsHost } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorDto } from '../integrations/dto/error.dto';
import type { ValidationErrorDto } from '../integrations/dto/validation-error.dto';

/**
 * The body this service sends, typed by the Swagger classes its OpenAPI schemas come from:
 * `ErrorDto` with `message` and `error` always set and `ctx` never sent, plus the `errors` map of
 * `ValidationErrorDto` (422 only), `errorId` (500 only) and `requestId` (the request's X-Request-Id,
 * also in its access line; absent only where no request exists yet, e.g. a stored body being built).
 */
export type ErrorBody = Omit<ErrorDto, 'ctx'> & Required<Pick<ErrorDto, 'message' | 'error'>> & Partial<Pick<ValidationErrorDto, 'errors'>>;

/** The optional fields of an error body. */
export type ErrorExtra = Pick<ErrorBody, 'errors' | 'errorId' | 'requestId'>;

/** The HTTP reason phrase of a status ("Conflict" for 409). */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

export function buildErrorBody(status: number, path: string, message: string, extra: ErrorExtra = {}, now: Date = new Date()): ErrorBody {
  const body: ErrorBody = { statusCode: status, timestamp: now.toISOString(), path, message, error: reasonPhrase(status) };
  if (extra.errors !== undefined) body.errors = extra.errors;
  if (extra.errorId !== undefined) body.errorId = extra.errorId;
  if (extra.requestId !== undefined) body.requestId = extra.requestId;
  return body;
}

/** Sends an error body on the Fastify reply of this host. */
export function sendError(host: ArgumentsHost, status: number, message: string, extra: Omit<ErrorExtra, 'requestId'> = {}): void {
  const http = host.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const reply = http.getResponse<FastifyReply>();
  const body = buildErrorBody(status, requestPath(request), message, { ...extra, requestId: request?.id });
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

export function requestPath(request: FastifyRequest | undefined): string {
  return request?.url ?? '';
}
