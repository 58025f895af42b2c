import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { MetricsExposure } from '../config/app-config';
import { buildErrorBody } from '../http/error-body';
import { ServiceMetrics } from './service-metrics';

export const METRICS_PATH = '/metrics';

const listeners = new WeakMap<object, Server>();

/**
 * Counts every HTTP request (duration by route template and status, requests in flight) and
 * exposes /metrics as configured (README "Metrics"):
 * - `exposure.token` set: `GET /metrics` on the public port, answered only with
 *   `Authorization: Bearer <token>` (401 in the error shape otherwise);
 * - `exposure.port` set: a second listener on `exposure.host:exposure.port` that serves only
 *   /metrics (behind the token too when one is set), opened here and closed with the app;
 * - neither: /metrics is not served (the public port answers 404, as for any unknown path).
 *
 * The route is Fastify's own, not a Nest controller: outside the OpenAPI document, the `{data}`
 * envelope and the API's auth guard. Call before `listen()`.
 */
export async function installMetrics(
  app: NestFastifyApplication,
  metrics: ServiceMetrics,
  exposure: MetricsExposure | undefined,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (_request, reply, done) => {
    metrics.requestStarted();
    // 'close' comes exactly once per response: sent, failed or aborted by the client.
    reply.raw.once('close', () => metrics.requestFinished());
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // The matched route's template (`/v1/integrations/:integrationId`); undefined when none matched.
    metrics.requestAnswered(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  if (!exposure) return;

  const authorized = bearerCheck(exposure.token);
  if (exposure.token !== undefined) {
    fastify.get(METRICS_PATH, async (request, reply) => {
      if (!authorized(request.headers.authorization)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .header('content-type', 'application/json; charset=utf-8')
          .send(unauthorizedBody());
      }
      const { contentType, body } = await metrics.exposition();
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
    });
  }
  if (exposure.port !== undefined) {
    const server = await listen(metrics, authorized, exposure.port, exposure.host);
    listeners.set(app, server);
    fastify.addHook('onClose', (_instance, done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : exposure.port;
    new Logger('Metrics').log(
      `Metrics on http://${exposure.host.includes(':') ? `[${exposure.host}]` : exposure.host}:${port}${METRICS_PATH}`,
    );
  }
}

/** The metrics listener of an app (METRICS_PORT), once `installMetrics` opened it. */
export function metricsListener(app: NestFastifyApplication): Server | undefined {
  return listeners.get(app);
}

async function listen(
  metrics: ServiceMetrics,
  authorized: (header: string | undefined) => boolean,
  port: number,
  host: string,
): Promise<Server> {
  const server = createServer((request, response) => void answer(metrics, authorized, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function answer(
  metrics: ServiceMetrics,
  authorized: (header: string | undefined) => boolean,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  const json = (status: number, body: object, headers: Record<string, string> = {}) =>
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  if (path !== METRICS_PATH) return void json(404, buildErrorBody(404, path, `Only ${METRICS_PATH} is served here`));
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return void json(405, buildErrorBody(405, path, `${METRICS_PATH} answers GET`), { allow: 'GET, HEAD' });
  }
  if (!authorized(request.headers.authorization)) return void json(401, unauthorizedBody(), { 'www-authenticate': 'Bearer' });
  try {
    const { contentType, body } = await metrics.exposition();
    response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : body);
  } catch {
    json(500, buildErrorBody(500, path, 'The metrics could not be collected'));
  }
}

/** Whether an Authorization header carries the token; always true without a token. Compared in constant time. */
function bearerCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (header) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
    return match !== null && timingSafeEqual(digest(match[1]), expected);
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function unauthorizedBody(): object {
  return buildErrorBody(401, METRICS_PATH, `${METRICS_PATH} needs Authorization: Bearer <METRICS_TOKEN>`);
}
