import type { NestFastifyApplication } from '@nestjs/platform-fastify';

const draining = new WeakSet<object>();

/**
 * Graceful shutdown helper. Fastify's close() stops listening and closes idle keep-alive
 * connections, but a connection whose request is still running stays open after its response
 * (until the keep-alive timeout, 72 s), which would hold the shutdown. Once `startDraining` was
 * called, every response says `Connection: close`, so such connections end with their response.
 */
export function installConnectionDraining(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (draining.has(app) && !reply.raw.headersSent) void reply.header('Connection', 'close');
    return payload;
  });
}

/** From now on, close each connection after its response (call right before `app.close()`). */
export function startDraining(app: NestFastifyApplication): void {
  draining.add(app);
}
