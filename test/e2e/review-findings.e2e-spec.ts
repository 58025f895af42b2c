import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { ApiClient, expectErrorShape } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';

const ROUTE = '/v1/integrations';

/**
 * Defects a hostile review of issue #8 found through the real service (HTTP + PostgreSQL). Each
 * test states the non-negotiable it guards.
 */
describe('review of issue #8: findings over HTTP', () => {
  describe('free-form credential objects (tlsOptions)', () => {
    let testApp: TestApp;
    let session: ApiClient;

    beforeAll(async () => {
      testApp = await startTestApp();
      session = ApiClient.session(testApp.baseUrl, (await testApp.bootstrap()).sessionToken);
    });
    afterAll(async () => testApp?.close());

    const count = async () => (await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations'))[0].n as number;

    // class-transformer drops every key whose name is a function on a new object (`toString`,
    // `valueOf`, `hasOwnProperty`, `__defineGetter__`, …) from the free-form object it copies, at
    // any depth: the integration was saved with a tlsOptions other than the one sent, and 201.
    it.each([
      ['toString', { toString: 'x', ciphers: 'HIGH' }, 'credentials.tlsOptions.toString'],
      ['valueOf, nested', { nested: { valueOf: 1 } }, 'credentials.tlsOptions.nested.valueOf'],
      ['hasOwnProperty in an array item', { ca: [{ hasOwnProperty: 2 }] }, 'credentials.tlsOptions.ca.0.hasOwnProperty'],
      ['__defineGetter__', { __defineGetter__: true }, 'credentials.tlsOptions.__defineGetter__'],
    ])(
      'refuses a tlsOptions key named like an Object.prototype member (%s) with 422 instead of dropping it',
      async (_label, tlsOptions, path) => {
        const before = await count();
        const response = await session.post(ROUTE, { providerId: 'nodemailer', credentials: { host: 'smtp.example.com', tlsOptions } });
        const error = expectErrorShape(response, 422, ROUTE);
        expect(Object.keys(error.errors)).toEqual([path]);
        expect(await count()).toBe(before);
      },
    );

    it('still stores an ordinary tlsOptions object exactly as sent', async () => {
      const tlsOptions = {
        rejectUnauthorized: false,
        ciphers: 'HIGH',
        ca: ['-----BEGIN CERTIFICATE-----'],
        nested: { a: [1, { b: null }] },
      };
      const response = await session.post(ROUTE, { providerId: 'nodemailer', credentials: { host: 'smtp.example.com', tlsOptions } });
      expect(response.status).toBe(201);
      expect(response.body.data.credentials.tlsOptions).toEqual(tlsOptions);
    });
  });

  describe('a credentials check under an idempotency key', () => {
    const POOL_SIZE = 2;
    let testApp: TestApp;
    let development: ApiClient;
    let production: ApiClient;
    let tarpit: Server;
    let tarpitPort: number;
    const accepted: Socket[] = [];
    let onAccept: (() => void) | undefined;

    beforeAll(async () => {
      // An SMTP server that accepts the connection and never greets: the check waits its whole budget.
      tarpit = createServer((socket) => {
        socket.on('error', () => undefined);
        accepted.push(socket);
        onAccept?.();
      });
      await new Promise<void>((resolve) => tarpit.listen(0, '127.0.0.1', resolve));
      tarpitPort = (tarpit.address() as AddressInfo).port;
      testApp = await startTestApp({
        database: { poolSize: POOL_SIZE, connectTimeoutMs: 1_000, statementTimeoutMs: 5_000 },
        outboundUrls: { allow: ['127.0.0.1'], refuseUnresolvable: false },
        credentialsCheck: { timeoutMs: 6_000, baseUrls: {} },
      });
      const org = await testApp.bootstrap();
      development = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
      production = ApiClient.apiKey(testApp.baseUrl, org.environments[1].apiKey);
    });
    afterAll(async () => {
      accepted.forEach((socket) => socket.destroy());
      await testApp?.close();
      await new Promise<void>((resolve) => (tarpit ? tarpit.close(() => resolve()) : resolve()));
    });

    // The SDK sends an idempotency key with every request. The idempotency interceptor opens its
    // transaction (a pooled connection) before the handler runs, so a create with `check: true`
    // holds that connection, idle in transaction, for as long as the provider takes to answer. As
    // many such requests as the pool has connections, aimed at a slow server, make every other
    // caller of every organization wait for a connection and get 503 (and /health/ready fail).
    it('does not hold a database connection while the provider is being checked', async () => {
      const allAccepted = new Promise<void>((resolve) => {
        onAccept = () => accepted.length >= POOL_SIZE && resolve();
      });
      const slow = Array.from({ length: POOL_SIZE }, (_, i) =>
        development.post(
          ROUTE,
          { providerId: 'nodemailer', check: true, credentials: { host: '127.0.0.1', port: String(tarpitPort) } },
          { 'idempotency-key': `slow-check-${i}` },
        ),
      );
      let victim;
      let ready;
      try {
        await allAccepted; // every keyed check is now waiting on the silent server
        victim = await production.get(ROUTE);
        ready = await production.get('/health/ready');
      } finally {
        // the server hangs up: the checks fail (400) and their transactions end
        accepted.forEach((socket) => socket.destroy());
      }
      const checks = await Promise.all(slow);

      expect(victim.status).toBe(200);
      expect(ready.status).toBe(200);
      for (const response of checks) expect(response.status).toBe(400);
    }, 30_000);
  });
});
