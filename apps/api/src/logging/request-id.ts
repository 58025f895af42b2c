import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
export const MAX_REQUEST_ID_LENGTH = 128;
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]+$/;

/**
 * The id of a request: the caller's `X-Request-Id` when it is sane (1–128 characters of
 * `[A-Za-z0-9._:-]`, one header), so that a proxy's id follows the request through our logs;
 * otherwise a new UUID. Anything else would let a caller write arbitrary text into every log line
 * and error body of its request.
 */
export function requestIdFor(headers: IncomingMessage['headers'], generate: () => string = randomUUID): string {
  const given = headers[REQUEST_ID_HEADER];
  if (typeof given === 'string' && given.length <= MAX_REQUEST_ID_LENGTH && SANE_REQUEST_ID.test(given)) return given;
  return generate();
}
