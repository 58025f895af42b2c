import { AppConfig, RateLimitSettings } from '../../apps/api/src/config/app-config';
import { ApiClient, ApiResponse } from '../support/api-client';
import { requireRedis, TEST_REDIS_URL, testRedisPrefix } from '../support/redis';
import { startTestApp, TestApp } from '../support/test-app';
import { sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';
const READS = 4;
const WRITES = 2;
const FAILED_AUTH = 3;

/** The same assertions on both stores: memory (one instance) and Redis (shared by every instance). */
describe.each([
  ['in memory', false],
  ['in Redis', true],
])('rate limits %s (README "Rate limits")', (_store, inRedis) => {
  let testApp: TestApp;

  async function start(settings: Partial<RateLimitSettings>, overrides: Partial<AppConfig> = {}): Promise<TestApp> {
    if (inRedis) await requireRedis();
    const rateLimits: RateLimitSettings = {
      enabled: true,
      readsPerMinute: 1_000,
      writesPerMinute: 1_000,
      failedAuthPerMinute: 1_000,
      redisKeyPrefix: testRedisPrefix('e2e'),
      ...(inRedis ? { redisUrl: TEST_REDIS_URL } : {}),
      ...settings,
    };
    testApp = await startTestApp({ rateLimits, ...overrides } satisfies Partial<AppConfig>);
    return testApp;
  }

  afterEach(async () => {
    await testApp?.close();
  });

  function expectRefusal(response: ApiResponse, message: RegExp): void {
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(response.body).toEqual({
      statusCode: 429,
      timestamp: expect.any(String),
      path: ROUTE,
      message: expect.stringMatching(message),
      error: 'Too Many Requests',
      requestId: response.headers.get('x-request-id'),
    });
    expect(response.body.message).toContain(`retry in ${retryAfter} s`);
  }

  it('counts POST /v1/integrations/select, which writes nothing, against the reads budget', async () => {
    const app = await start({ readsPerMinute: READS, writesPerMinute: WRITES });
    const { environments } = await app.bootstrap();
    const client = ApiClient.apiKey(app.baseUrl, environments[0]!.apiKey);
    const selected = await client.post(`${ROUTE}/select`, { channel: 'email' });
    expect(selected.status).toBe(200);
    expect(selected.headers.get('ratelimit-policy')).toBe(`"reads";q=${READS};w=60`);
    expect(selected.headers.get('ratelimit')).toMatch(new RegExp(`^"reads";r=${READS - 1};t=\\d+$`));
  });

  it('answers with the RateLimit fields, refuses the read over the budget with 429 and Retry-After, and keeps writes apart', async () => {
    const app = await start({ readsPerMinute: READS, writesPerMinute: WRITES });
    const { environments } = await app.bootstrap();
    const client = ApiClient.apiKey(app.baseUrl, environments[0]!.apiKey);

    const reads: ApiResponse[] = [];
    for (let i = 0; i < READS; i++) reads.push(await client.get(ROUTE));
    expect(reads.map((r) => r.status)).toEqual(Array(READS).fill(200));
    for (const [i, response] of reads.entries()) {
      expect(response.headers.get('ratelimit-policy')).toBe(`"reads";q=${READS};w=60`);
      expect(response.headers.get('ratelimit')).toMatch(new RegExp(`^"reads";r=${READS - 1 - i};t=([1-9]|[1-5][0-9]|60)$`));
    }

    const refused = await client.get(ROUTE);
    expectRefusal(refused, /^Too many reads for this API key/);
    expect(refused.headers.get('ratelimit')).toMatch(/^"reads";r=0;t=\d+$/);

    // Writes have their own budget: reads being spent does not stop a create.
    const created = await client.post(ROUTE, sendgridPayload());
    expect(created.status).toBe(201);
    expect(created.headers.get('ratelimit-policy')).toBe(`"writes";q=${WRITES};w=60`);
    expect(created.headers.get('ratelimit')).toMatch(new RegExp(`^"writes";r=${WRITES - 1};t=\\d+$`));
    await client.post(ROUTE, sendgridPayload());
    expectRefusal(await client.post(ROUTE, sendgridPayload()), /^Too many writes for this API key/);
  });

  it('counts per API key, and per organization for session tokens', async () => {
    const app = await start({ readsPerMinute: 2 });
    const first = await app.bootstrap('First');
    const second = await app.bootstrap('Second');
    const development = ApiClient.apiKey(app.baseUrl, first.environments[0]!.apiKey);
    const production = ApiClient.apiKey(app.baseUrl, first.environments[1]!.apiKey);

    await development.get(ROUTE);
    await development.get(ROUTE);
    expect((await development.get(ROUTE)).status).toBe(429);
    // Another key of the same organization, and the organization's session, each have their own budget.
    expect((await production.get(ROUTE)).status).toBe(200);
    const session = ApiClient.session(app.baseUrl, first.sessionToken);
    expect((await session.get(ROUTE)).status).toBe(200);
    // Every environment a session picks draws from the one budget of its organization.
    const inProduction = await session.get(ROUTE, { 'Novu-Environment-Id': first.environments[1]!.id });
    expect(inProduction.status).toBe(200);
    expect(inProduction.headers.get('ratelimit')).toMatch(/^"reads";r=0;/);
    expectRefusal(await session.get(ROUTE), /^Too many reads for this organization/);
    // Another organization is untouched.
    expect((await ApiClient.session(app.baseUrl, second.sessionToken).get(ROUTE)).status).toBe(200);
  });

  it('counts failed authentications per address, and over the budget answers 429 before looking the key up', async () => {
    const app = await start({ failedAuthPerMinute: FAILED_AUTH });
    const { environments } = await app.bootstrap();
    const stranger = new ApiClient(app.baseUrl, 'ApiKey not-a-key');

    const failures: ApiResponse[] = [];
    for (let i = 0; i < FAILED_AUTH; i++) failures.push(await stranger.get(ROUTE));
    expect(failures.map((r) => r.status)).toEqual(Array(FAILED_AUTH).fill(401));
    expect(failures.map((r) => r.headers.get('ratelimit-policy'))).toEqual(Array(FAILED_AUTH).fill(`"failed-auth";q=${FAILED_AUTH};w=60`));
    expect(failures.map((r) => r.headers.get('ratelimit')?.replace(/;t=\d+$/, ''))).toEqual(
      Array.from({ length: FAILED_AUTH }, (_, i) => `"failed-auth";r=${FAILED_AUTH - 1 - i}`),
    );

    expectRefusal(await stranger.get(ROUTE), /^Too many failed authentication attempts from this address/);
    // The address is refused whatever it sends now, a valid key included: nothing is looked up.
    const valid = await ApiClient.apiKey(app.baseUrl, environments[0]!.apiKey).get(ROUTE);
    expectRefusal(valid, /^Too many failed authentication attempts/);
    expectRefusal(await new ApiClient(app.baseUrl, undefined).get(ROUTE), /^Too many failed authentication attempts/);
  });

  /** FAILED_AUTH failures "from" `forwardedFor`, then one more request from each of `others`: their statuses. */
  async function failThenProbe(app: TestApp, forwardedFor: string, others: string[]): Promise<number[]> {
    const stranger = new ApiClient(app.baseUrl, 'ApiKey not-a-key');
    for (let i = 0; i < FAILED_AUTH; i++) expect((await stranger.get(ROUTE, { 'X-Forwarded-For': forwardedFor })).status).toBe(401);
    const statuses: number[] = [];
    for (const other of others) statuses.push((await stranger.get(ROUTE, { 'X-Forwarded-For': other })).status);
    return statuses;
  }

  it('behind a trusted proxy (TRUST_PROXY) counts failed authentications per client of X-Forwarded-For', async () => {
    const app = await start({ failedAuthPerMinute: FAILED_AUTH }, { trustProxy: ['127.0.0.1', '::1'] });
    // The proxy's other clients keep their budget; the failing one is refused.
    expect(await failThenProbe(app, '203.0.113.7', ['198.51.100.2', '203.0.113.7'])).toEqual([401, 429]);
  });

  it('without TRUST_PROXY ignores X-Forwarded-For: a client cannot pick a fresh address per guess', async () => {
    const app = await start({ failedAuthPerMinute: FAILED_AUTH });
    expect(await failThenProbe(app, '203.0.113.7', ['198.51.100.2', '192.0.2.9'])).toEqual([429, 429]);
  });

  it('trusts X-Forwarded-For only from a listed proxy address', async () => {
    const app = await start({ failedAuthPerMinute: FAILED_AUTH }, { trustProxy: ['10.9.8.7'] });
    expect(await failThenProbe(app, '203.0.113.7', ['198.51.100.2'])).toEqual([429]);
  });
});

describe('rate limits turned off (RATE_LIMIT_ENABLED=false)', () => {
  it('neither counts nor announces anything', async () => {
    const app = await startTestApp({
      rateLimits: { enabled: false, readsPerMinute: 1, writesPerMinute: 1, failedAuthPerMinute: 1, redisKeyPrefix: 'unused' },
    });
    try {
      const { environments } = await app.bootstrap();
      const client = ApiClient.apiKey(app.baseUrl, environments[0]!.apiKey);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await client.get(ROUTE)).status);
      for (let i = 0; i < 3; i++) statuses.push((await client.as('ApiKey wrong').get(ROUTE)).status);
      expect(statuses).toEqual([200, 200, 200, 401, 401, 401]);
      expect((await client.get(ROUTE)).headers.get('ratelimit')).toBeNull();
    } finally {
      await app.close();
    }
  });
});
