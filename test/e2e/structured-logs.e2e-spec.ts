import { randomUUID } from 'node:crypto';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';

const ROUTE = '/v1/integrations';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The lines the service wrote to stdout while `run` ran, parsed: every one must be JSON. */
function captureStdout(): { lines(): Record<string, any>[]; raw(): string; restore(): void } {
  const chunks: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
    chunks.push(String(chunk));
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  return {
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, any>),
    restore: () => {
      process.stdout.write = original;
    },
  };
}

/**
 * LOG_FORMAT=json (docs/contract.md §1, issue #12): one JSON object per line, one access line per
 * request with whitelisted fields, request ids in the header, the error body and the access line,
 * and — with LOG_LEVEL=debug — no secret the test sent anywhere in the log.
 */
describe('structured logs and request ids', () => {
  let testApp: TestApp;
  let capture: ReturnType<typeof captureStdout>;
  let apiKey: string;
  let sessionToken: string;
  let organizationId: string;
  let environmentId: string;

  beforeAll(async () => {
    testApp = await startTestApp({ logLevels: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'], logFormat: 'json' });
    const org = await testApp.bootstrap();
    apiKey = org.environments[0].apiKey;
    environmentId = org.environments[0].id;
    sessionToken = org.sessionToken;
    organizationId = org.organizationId;
    capture = captureStdout();
  });

  afterAll(async () => {
    capture?.restore();
    await testApp?.close();
  });

  const accessLines = () => capture.lines().filter((line) => line.status !== undefined && line.method !== undefined);
  const accessLineOf = (requestId: string) => {
    const found = accessLines().filter((line) => line.requestId === requestId);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('writes one access line per request with the route template and the caller, never the key', async () => {
    const keyed = ApiClient.apiKey(testApp.baseUrl, apiKey);
    const created = await keyed.post(ROUTE, { providerId: 'sendgrid' });
    expect(created.status).toBe(201);
    const id = created.body.data._id as string;
    const read = await keyed.put(`${ROUTE}/${id}`, { name: 'Renamed' });
    expect(read.status).toBe(200);

    const requestId = read.headers.get('x-request-id')!;
    expect(requestId).toMatch(UUID);
    const [{ id: apiKeyId }] = await testApp.dataSource.query('SELECT id FROM api_keys WHERE environment_id = $1', [environmentId]);
    const line = accessLineOf(requestId);
    expect(line).toEqual({
      level: 'info',
      time: expect.any(String),
      pid: process.pid,
      requestId,
      method: 'PUT',
      route: '/v1/integrations/:integrationId',
      status: 200,
      durationMs: expect.any(Number),
      caller: 'api-key',
      organizationId,
      environmentId,
      apiKeyId,
      msg: 'PUT /v1/integrations/:integrationId 200',
    });
    expect(JSON.stringify(line)).not.toContain(id);
  });

  it('takes a sane X-Request-Id, replaces an insane one, and puts it in the header, the error body and the access line', async () => {
    const anonymous = new ApiClient(testApp.baseUrl);
    const given = `edge-1.${randomUUID()}:a_b`;
    const echoed = await anonymous.get(ROUTE, { 'X-Request-Id': given });
    expect(echoed.status).toBe(401);
    expect(echoed.headers.get('x-request-id')).toBe(given);
    expect(echoed.body.requestId).toBe(given);
    expect(accessLineOf(given)).toMatchObject({ method: 'GET', route: ROUTE, status: 401 });

    for (const insane of ['has space', 'a'.repeat(129), 'quote"', 'semi;colon', 'slash/path', '']) {
      const answer = await anonymous.get(ROUTE, { 'X-Request-Id': insane });
      const replaced = answer.headers.get('x-request-id')!;
      expect(replaced).toMatch(UUID);
      expect(answer.body.requestId).toBe(replaced);
      expect(accessLineOf(replaced)).toMatchObject({ status: 401 });
    }
    expect(capture.raw()).not.toContain('has space');

    const unknownRoute = await anonymous.get('/nowhere');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.requestId).toBe(unknownRoute.headers.get('x-request-id'));
    const line = accessLineOf(unknownRoute.body.requestId);
    expect(line).toMatchObject({ method: 'GET', status: 404 });
    expect(line.route).toBeUndefined();

    const ok = await ApiClient.apiKey(testApp.baseUrl, apiKey).get(ROUTE);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toMatch(UUID);
  });

  it('logs no secret it was sent, with LOG_LEVEL=debug, over a full set of requests', async () => {
    const before = capture.raw().length;
    const session = ApiClient.session(testApp.baseUrl, sessionToken);
    const keyed = ApiClient.apiKey(testApp.baseUrl, apiKey);
    const CREDENTIAL = `sg-secret-${randomUUID()}`;
    const SECOND = `sg-rotated-${randomUUID()}`;
    const IDEMPOTENCY_KEY = `idem-${randomUUID()}`;

    const first = await session.post(ROUTE, {
      providerId: 'sendgrid',
      credentials: { apiKey: CREDENTIAL, from: 'a@b.co', senderName: 'A' },
    });
    expect(first.status).toBe(201);
    const second = await session.post(ROUTE, {
      providerId: 'sendgrid',
      active: true,
      credentials: { apiKey: SECOND, from: 'c@d.co', senderName: 'C' },
    });
    expect(second.status).toBe(201);
    const id = second.body.data._id as string;
    expect((await session.put(`${ROUTE}/${id}`, { credentials: { apiKey: SECOND, from: 'c@d.co', senderName: 'D' } })).status).toBe(200);
    expect((await session.post(`${ROUTE}/${id}/set-primary`)).status).toBe(200);
    expect((await session.get(ROUTE)).status).toBe(200);
    const bare = await new ApiClient(testApp.baseUrl, apiKey).get(ROUTE); // a bare key, without "ApiKey "
    expect(bare.status).toBe(401);
    const misspelled = await session.post(ROUTE, { providerId: 'sendgrid', credentials: { apiKee: CREDENTIAL } });
    expect(misspelled.status).toBe(422);
    const idempotent = await keyed.post(
      ROUTE,
      { providerId: 'sendgrid', credentials: { apiKey: CREDENTIAL } },
      { 'Idempotency-Key': IDEMPOTENCY_KEY },
    );
    expect(idempotent.status).toBe(201);
    expect((await session.delete(`${ROUTE}/${id}`)).status).toBe(200);

    const written = capture.raw().slice(before);
    const lines = written.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(9);
    expect(lines.some((line) => /"msg":"Query ran in \d+ ms: /.test(line))).toBe(true);
    expect(lines.some((line) => line.includes('API-key cache'))).toBe(true);
    const secrets = {
      apiKey,
      sessionToken,
      CREDENTIAL,
      SECOND,
      IDEMPOTENCY_KEY,
      jwtSecret: testApp.config.jwtSecret,
      encryptionKey: testApp.config.encryptionKeys[0].key,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, leakedIn: lines.filter((line) => line.includes(secret)) }).toEqual({ name, leakedIn: [] });
    }
  });
});
