import { STATUS_CODES } from 'node:http';
import { ArgumentsHost } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorDto } from '../integrations/dto/error.dto';
import type { ValidationErrorDto } from '../integrations/dto/validation-error.dto';

/**
 * The body this service sends, typed by the Swagger classes its OpenAPI schemas come from:
 * `ErrorDto` with `message` and `error` always set and `ctx` never sent, plus the `errors` map of
 * `ValidationErrorDto` (422 only) and `errorId` (500 only).
 */
export type ErrorBody = Omit<ErrorDto, 'ctx'> & Required<Pick<ErrorDto, 'message' | 'error'>> & Partial<Pick<ValidationErrorDto, 'errors'>>;

/** The HTTP reason phrase of a status ("Conflict" for 409). */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

export function buildErrorBody(
  status: number,
  path: string,
  message: string,
  extra: Pick<ErrorBody, 'errors' | 'errorId'> = {},
  now: Date = new Date(),
): ErrorBody {
  const body: ErrorBody = { statusCode: status, timestamp: now.toISOString(), path, message, error: reasonPhrase(status) };
  if (extra.errors !== undefined) body.errors = extra.errors;
  if (extra.errorId !== undefined) body.errorId = extra.errorId;
  return body;
}

/** Sends an error body on the Fastify reply of this host. */
export function sendError(host: ArgumentsHost, status: number, message: string, extra?: Pick<ErrorBody, 'errors' | 'errorId'>): void {
  const http = host.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const reply = http.getResponse<FastifyReply>();
  const body = buildErrorBody(status, requestPath(request), message, extra);
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

export function requestPath(request: FastifyRequest | undefined): string {
  return request?.url ?? '';
}
