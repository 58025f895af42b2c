import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { HttpStatus, Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { buildErrorBody, reasonPhrase } from './error-body';
import { INTERNAL_ERROR_MESSAGE } from './unhandled-exception.filter';

/**
 * Errors Fastify and Node.js answer before Nest sees the request (no filter runs for them): a URL
 * the router cannot decode, a route parameter over `maxParamLength`, header fields over Node's
 * limit, a request that is not valid HTTP. Their defaults echo the raw URL in `message` and use
 * another body shape; these handlers answer in the service's error shape, and never repeat the
 * URL, a header or the raw request in `message`. `path` is the path without its query string
 * (which may carry a token), cut to MAX_ERROR_PATH_LENGTH characters.
 */

/** Longest route parameter the router accepts (Fastify's default, stated so the 414 can say it). */
export const MAX_PARAM_LENGTH = 100;

/** Not in Nest's HttpStatus enum. */
const REQUEST_HEADER_FIELDS_TOO_LARGE = 431;

/** Longest `path` in a framework error body. */
export const MAX_ERROR_PATH_LENGTH = 256;

export const FRAMEWORK_ERROR_MESSAGES = {
  badUrl: 'The request URL is not valid: it contains a malformed percent-encoding',
  paramTooLong: `URI Too Long: a path segment is longer than ${MAX_PARAM_LENGTH} characters`,
  headersTooLarge: 'Request header fields are too large',
  timeout: 'The request was not received in time',
  malformed: 'The request is not valid HTTP',
} as const;

const logger = new Logger('FrameworkError');

/** The status and message a framework error is answered with. */
type FrameworkAnswer = { status: number; message: string };

/** The router's errors, by Fastify error code; any other code is answered 500. */
const ROUTER_ERRORS: Record<string, FrameworkAnswer> = {
  FST_ERR_BAD_URL: { status: HttpStatus.BAD_REQUEST, message: FRAMEWORK_ERROR_MESSAGES.badUrl },
  FST_ERR_MAX_PARAM_LENGTH: { status: HttpStatus.URI_TOO_LONG, message: FRAMEWORK_ERROR_MESSAGES.paramTooLong },
};

/** Node's client errors, by error code; any other code is a request that is not valid HTTP. */
const CLIENT_ERRORS: Record<string, FrameworkAnswer> = {
  HPE_HEADER_OVERFLOW: { status: REQUEST_HEADER_FIELDS_TOO_LARGE, message: FRAMEWORK_ERROR_MESSAGES.headersTooLarge },
  ERR_HTTP_REQUEST_TIMEOUT: { status: HttpStatus.REQUEST_TIMEOUT, message: FRAMEWORK_ERROR_MESSAGES.timeout },
};
const MALFORMED_REQUEST: FrameworkAnswer = { status: HttpStatus.BAD_REQUEST, message: FRAMEWORK_ERROR_MESSAGES.malformed };

/** The table's own entry for `code` (never an inherited property such as `constructor`). */
function answerFor(table: Record<string, FrameworkAnswer>, code: string | undefined): FrameworkAnswer | undefined {
  return code !== undefined && Object.hasOwn(table, code) ? table[code] : undefined;
}

/** The URL's path, without query string or fragment, at most MAX_ERROR_PATH_LENGTH characters. */
export function boundedPath(url: string | undefined): string {
  if (!url) return '';
  const end = url.search(/[?#]/);
  return (end < 0 ? url : url.slice(0, end)).slice(0, MAX_ERROR_PATH_LENGTH);
}

/** Fastify's `frameworkErrors` option: the router's 400 (bad URL) and 414 (parameter too long). */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = boundedPath(request.raw.url);
  const known = answerFor(ROUTER_ERRORS, error.code);
  if (known) {
    sendErrorBody(reply, path, request.id, known);
    return;
  }
  // Fastify calls frameworkErrors for one more case (an async route constraint failing): not
  // the caller's fault, so a 500 with an errorId, the cause only logged (its text may hold the URL).
  const errorId = randomUUID();
  logger.error(`Unhandled framework error ${errorId} on ${request.raw.method ?? '?'} ${path}`, error.stack ?? error.code);
  sendErrorBody(reply, path, request.id, { status: HttpStatus.INTERNAL_SERVER_ERROR, message: INTERNAL_ERROR_MESSAGE }, errorId);
}

function sendErrorBody(reply: FastifyReply, path: string, requestId: string, { status, message }: FrameworkAnswer, errorId?: string): void {
  void reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(buildErrorBody(status, path, message, errorId ? { errorId, requestId } : { requestId })));
}

/** The error Node.js's HTTP server hands to `clientError` (rawPacket: what it could not parse). */
export type ClientError = Error & { code?: string; rawPacket?: unknown };

/** How much of the raw request is read to find its request target (never more: it may be megabytes). */
const RAW_REQUEST_LINE_SCAN = MAX_ERROR_PATH_LENGTH + 64;

/**
 * The path of the request line of a request Node.js could not parse, when it has one that is
 * plain visible ASCII; else ''. Only the first bytes are looked at.
 */
export function pathOfRawRequest(rawPacket: unknown): string {
  if (!Buffer.isBuffer(rawPacket) || rawPacket.length === 0) return '';
  const head = rawPacket.subarray(0, RAW_REQUEST_LINE_SCAN).toString('latin1');
  const line = head.split('\r\n', 1)[0];
  const target = line.split(' ')[1] ?? '';
  if (!target.startsWith('/') || !/^[\x21-\x7e]+$/.test(target)) return '';
  return boundedPath(target);
}

/**
 * Fastify's `clientErrorHandler` (Node's `clientError` event): the request never became a request,
 * so the answer is written on the socket itself, which is then closed (its stream is unusable).
 * Header fields over the limit → 431, a request that took too long → 408, anything else → 400.
 */
export function answerClientError(error: ClientError, socket: Duplex): void {
  // A reset connection or a closed socket has no one to answer (Node's own default does the same).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, message } = answerFor(CLIENT_ERRORS, error.code) ?? MALFORMED_REQUEST;
  // No Fastify request exists (the HTTP parser refused the bytes): a fresh id, logged with the answer.
  const requestId = randomUUID();
  logger.debug(`Client error ${error.code ?? 'unknown'} answered with ${status} (request ${requestId})`);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(buildErrorBody(status, pathOfRawRequest(error.rawPacket), message, { requestId }));
  const head = [
    `HTTP/1.1 ${status} ${reasonPhrase(status)}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ].join('\r\n');
  socket.end(`${head}\r\n\r\n${body}`, () => socket.destroy());
}
