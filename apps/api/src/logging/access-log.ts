import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { AuthenticatedRequest } from '../auth/authenticated-request';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * The one line logged per request, built field by field: nothing of the request but its method,
 * route template and id, nothing of the caller but ids — never a header, a body, a key, a token or
 * a credential (docs/contract.md §1 error shape carries the same request id).
 */
export interface AccessLine extends AccessFields {
  /** Bound by pino-http's request logger (quietReqLogger), so written once. */
  readonly requestId: string;
}

export interface AccessFields {
  readonly method: string;
  /** `/v1/integrations/:integrationId`; absent when no route matched (404, early framework errors). */
  readonly route?: string;
  readonly status: number;
  readonly durationMs: number;
  readonly caller?: 'api-key' | 'session';
  readonly organizationId?: string;
  readonly environmentId?: string;
  readonly apiKeyId?: string;
}

/** The Fastify request of each raw one, for pino-http's callbacks (which only see the raw request). */
const fastifyRequests = new WeakMap<IncomingMessage, FastifyRequest>();

export function accessFields(request: FastifyRequest | undefined, raw: IncomingMessage, status: number, durationMs: number): AccessFields {
  const caller = request as AuthenticatedRequest | undefined;
  const line: { -readonly [K in keyof AccessFields]: AccessFields[K] } = { method: raw.method ?? '?', status, durationMs };
  const route = request?.routeOptions.url;
  if (route) line.route = route;
  if (caller?.actor) {
    line.caller = caller.actor.kind;
    line.organizationId = caller.actor.organizationId;
    line.environmentId = caller.actor.environmentId;
  }
  if (caller?.apiKeyId) line.apiKeyId = caller.apiKeyId;
  return line;
}

/**
 * Echoes the request id in `X-Request-Id` and logs one access line when the response is finished
 * (or the connection closed): `info` below 500, `error` from 500. Register before Nest's own hooks,
 * so that every request, a framework error's included, gets both.
 */
export function installAccessLog(fastify: FastifyInstance, root: Logger): void {
  const line = (req: IncomingMessage, res: ServerResponse, durationMs: number): AccessFields =>
    accessFields(fastifyRequests.get(req), req, res.statusCode, durationMs);
  const middleware = pinoHttp({
    logger: root,
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (req, res, durationMs) => summary(line(req, res, durationMs)),
    customErrorMessage: (req, res) => summary(line(req, res, 0)),
    customSuccessObject: (req, res, value: { responseTime: number }) => line(req, res, value.responseTime),
    customErrorObject: (req, res, _error, value: { responseTime: number }) => line(req, res, value.responseTime),
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    fastifyRequests.set(request.raw, request);
    void reply.header(REQUEST_ID_HEADER, request.id);
    (request.raw as IncomingMessage & { id?: string }).id = request.id;
    middleware(request.raw, reply.raw);
    done();
  });
}

function summary(line: AccessFields): string {
  return `${line.method} ${line.route ?? '(no route)'} ${line.status}`;
}
