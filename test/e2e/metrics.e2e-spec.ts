import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { metricsListener } from '../../apps/api/src/metrics/metrics-http';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (comment lines skipped). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[name] = value;
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** Sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

const FAMILIES = [
  'http_request_duration_seconds',
  'http_requests_in_flight',
  'db_pool_connections',
  'db_pool_idle_connections',
  'db_pool_waiting_requests',
  'db_query_duration_seconds',
  'db_query_errors_total',
  'idempotency_requests_total',
  'credentials_checks_total',
  'api_key_cache_lookups_total',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
];

describe('/metrics on the public port behind METRICS_TOKEN', () => {
  const token = randomBytes(24).toString('base64url');
  let testApp: TestApp;

  beforeAll(async () => {
    // sendgrid's check goes to a closed loopback port: a failed check, with no outside traffic.
    testApp = await startTestApp({
      metrics: { token, host: '127.0.0.1' },
      credentialsCheck: { timeoutMs: 3_000, baseUrls: { sendgrid: 'http://127.0.0.1:1' } },
    });
  });
  afterAll(() => testApp?.close());

  const scrapeText = async (): Promise<string> => {
    const response = await fetch(`${testApp.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };
  const scrape = async (): Promise<Sample[]> => parse(await scrapeText());

  it('answers 401 in the error shape without the token or with another one, 200 with it', async () => {
    for (const authorization of [undefined, `Bearer ${token}x`, `Bearer ${'a'.repeat(token.length)}`, token, `ApiKey ${token}`]) {
      const response = await fetch(`${testApp.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toMatchObject({ statusCode: 401, path: '/metrics', error: 'Unauthorized' });
    }
    expect((await scrapeText()).startsWith('# HELP')).toBe(true);
  });

  it('exposes every metric family, including the default process and event-loop ones', async () => {
    const text = await scrapeText();
    for (const family of FAMILIES) expect(text).toContain(`# TYPE ${family} `);
  });

  it('is not in the OpenAPI document', async () => {
    const document = (await (await fetch(`${testApp.baseUrl}/api-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).length).toBeGreaterThan(0);
    expect(Object.keys(document.paths).filter((path) => path.includes('metrics'))).toEqual([]);
  });

  it('every counter moves with traffic: requests, queries, idempotency, credentials checks, the API-key cache', async () => {
    const org = await testApp.bootstrap();
    const client = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    const before = await scrape();

    // First use of the key: a cache miss; every later request of it: hits.
    const created = await client.post(ROUTE, sendgridPayload(), { 'idempotency-key': 'metrics-create' });
    expect(created.status).toBe(201);
    const replayed = await client.post(ROUTE, sendgridPayload(), { 'idempotency-key': 'metrics-create' });
    expect(replayed.headers.get('idempotency-replay')).toBe('true');
    const mismatch = await client.post(ROUTE, sendgridPayload({ name: 'Other' }), { 'idempotency-key': 'metrics-create' });
    expect(mismatch.status).toBe(422);
    expect((await client.get(ROUTE)).status).toBe(200);
    expect((await client.put(`${ROUTE}/${created.body.data._id}`, { name: 'Renamed' })).status).toBe(200);
    const unsupported = await client.post(ROUTE, { providerId: 'fcm', check: true, credentials: { serviceAccount: '{}' } });
    expect(unsupported.headers.get('novu-credentials-check')).toBe('unsupported');
    const failed = await client.post(ROUTE, { ...sendgridPayload(), check: true });
    expect(failed.status).toBe(400);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);

    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: ROUTE, status_code: '201' })).toBe(3); // create, its replay, fcm
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: ROUTE, status_code: '422' })).toBe(1);
    expect(delta('http_request_duration_seconds_count', { method: 'GET', route: ROUTE, status_code: '200' })).toBe(1);
    expect(delta('http_request_duration_seconds_sum', { method: 'GET', route: ROUTE })).toBeGreaterThan(0);
    expect(delta('http_request_duration_seconds_count', { method: 'PUT', route: `${ROUTE}/:integrationId`, status_code: '200' })).toBe(1);
    // The scrape that reads it is itself in flight.
    expect(total(after, 'http_requests_in_flight')).toBeGreaterThanOrEqual(1);
    expect(delta('db_query_duration_seconds_count')).toBeGreaterThan(0);
    expect(total(after, 'db_pool_connections')).toBeGreaterThan(0);
    expect(total(after, 'db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
    expect(delta('idempotency_requests_total', { outcome: 'stored' })).toBe(1);
    expect(delta('idempotency_requests_total', { outcome: 'replayed' })).toBe(1);
    expect(delta('idempotency_requests_total', { outcome: 'mismatch' })).toBe(1);
    expect(delta('credentials_checks_total', { provider: 'fcm', outcome: 'unsupported' })).toBe(1);
    expect(delta('credentials_checks_total', { provider: 'sendgrid', outcome: 'failed' })).toBe(1);
    expect(after.find((s) => s.name === 'credentials_checks_total' && s.labels.outcome === 'failed')?.labels.reason).toMatch(
      /^(unreachable|timeout|protocol|rejected)$/,
    );
    expect(delta('api_key_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(delta('api_key_cache_lookups_total', { result: 'hit' })).toBe(6);
    expect(total(after, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('counts an idempotency key in progress (409)', async () => {
    const org = await testApp.bootstrap();
    const client = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    const key = 'metrics-busy';
    // Hold the key's advisory lock (as a request of another instance would) from our own connection.
    // Direct (not through the test PgBouncer): a session-level lock must stay on this session.
    const db = new Client({ connectionString: testApp.config.databaseDirectUrl ?? testApp.config.databaseUrl });
    await db.connect();
    try {
      await db.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`idempotency:${org.organizationId}:${key}`]);
      const before = await scrape();
      expect((await client.post(ROUTE, sendgridPayload(), { 'idempotency-key': key })).status).toBe(409);
      const after = await scrape();
      expect(
        total(after, 'idempotency_requests_total', { outcome: 'in-progress' }) -
          total(before, 'idempotency_requests_total', { outcome: 'in-progress' }),
      ).toBe(1);
      expect(total(after, 'idempotency_requests_total', { outcome: 'stored' })).toBe(
        total(before, 'idempotency_requests_total', { outcome: 'stored' }),
      );
    } finally {
      await db.end();
    }
  });

  it('labels routes by template and never carries a raw URL or a secret', async () => {
    const org = await testApp.bootstrap();
    const apiKey = org.environments[0].apiKey;
    const secret = `s3cr3t${randomBytes(12).toString('hex')}`;
    const client = ApiClient.apiKey(testApp.baseUrl, apiKey);
    await client.get(`${ROUTE}/${secret}`);
    await client.put(`${ROUTE}/${secret}`, { name: 'x' });
    await client.get(`${ROUTE}/${secret}/nothing-here`);
    await client.get(`/${secret}?token=${secret}`);
    await client.request('PROPFIND', `/${secret}`);

    const text = await scrapeText();
    for (const forbidden of [secret, apiKey, token, org.sessionToken]) expect(text).not.toContain(forbidden);
    const routes = new Set(parse(text).flatMap((sample) => (sample.labels.route === undefined ? [] : [sample.labels.route])));
    expect(routes).toContain(`${ROUTE}/:integrationId`);
    expect(routes).toContain('unmatched');
    for (const route of routes) expect(route).toMatch(/^(unmatched|(\/([a-z0-9-]+|:[a-zA-Z]+))+|\/metrics)$/);
    const methods = new Set(parse(text).flatMap((sample) => (sample.labels.method === undefined ? [] : [sample.labels.method])));
    expect([...methods].every((method) => ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'OTHER'].includes(method))).toBe(
      true,
    );
  });
});

describe('/metrics without METRICS_TOKEN or METRICS_PORT', () => {
  let testApp: TestApp;
  beforeAll(async () => (testApp = await startTestApp()));
  afterAll(() => testApp?.close());

  it('is not served at all', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer anything-at-all-here' }]) {
      const response = await fetch(`${testApp.baseUrl}/metrics`, { headers });
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('# TYPE');
    }
  });
});

describe('/metrics on METRICS_PORT', () => {
  it('serves only /metrics on its own loopback listener, not on the public port, and closes with the app', async () => {
    const testApp = await startTestApp({ metrics: { port: 0, host: '127.0.0.1' } });
    let closed = false;
    try {
      const { port } = metricsListener(testApp.app)!.address() as AddressInfo;
      const metricsUrl = `http://127.0.0.1:${port}`;
      const scraped = await fetch(`${metricsUrl}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('# TYPE http_request_duration_seconds histogram');
      expect((await fetch(`${metricsUrl}/v1/integrations`)).status).toBe(404);
      expect((await fetch(`${metricsUrl}/metrics`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${testApp.baseUrl}/metrics`)).status).toBe(404);

      await testApp.close();
      closed = true;
      await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
    } finally {
      if (!closed) await testApp.close();
    }
  });

  it('asks for the token there too when one is set', async () => {
    const token = randomBytes(24).toString('base64url');
    const testApp = await startTestApp({ metrics: { port: 0, host: '127.0.0.1', token } });
    try {
      const { port } = metricsListener(testApp.app)!.address() as AddressInfo;
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await testApp.close();
    }
  });
});
