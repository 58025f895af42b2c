import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildErrorBody } from './error-body';

const draining = new WeakSet<object>();

/**
 * Graceful shutdown helper. Fastify's close() stops listening and closes idle keep-alive
 * connections, but a connection whose request is still running stays open after its response
 * (until the keep-alive timeout, 72 s), which would hold the shutdown. Once `startDraining` was
 * called, every response says `Connection: close`, so such connections end with their response,
 * and a request that still arrives (on a kept-alive connection) is refused with 503 in the
 * contract's error shape and `Retry-After: 1`, so the client retries on another instance.
 */
export function installConnectionDraining(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    if (!draining.has(app)) return;
    await reply
      .code(503)
      .header('Retry-After', '1')
      .header('content-type', 'application/json; charset=utf-8')
      .send(buildErrorBody(503, request.url, 'The service is shutting down; retry on another instance', { requestId: request.id }));
  });
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (draining.has(app) && !reply.raw.headersSent) void reply.header('Connection', 'close');
    return payload;
  });
}

/** From now on, close each connection after its response (call right before `app.close()`). */
export function startDraining(app: NestFastifyApplication): void {
  draining.add(app);
}
