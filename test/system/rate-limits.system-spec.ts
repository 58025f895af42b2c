import { ApiClient } from '../support/api-client';
import { requireRedis, TEST_REDIS_URL, testRedisPrefix } from '../support/redis';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { report, ServiceProcess, sharedSecrets, startService, tally } from './support/service-process';

const ROUTE = '/v1/integrations';
const READS = 10;

jest.setTimeout(180_000);

/**
 * Two service processes with REDIS_URL set share one budget (README "Rate limits"): the same API
 * key, alternating between them, gets READS answers in all, not READS from each.
 */
describe('rate limits shared through Redis by two service processes', () => {
  let database: TestDatabase;
  let a: ServiceProcess;
  let b: ServiceProcess;

  beforeAll(async () => {
    await requireRedis();
    database = await createTestDatabase();
    const secrets = sharedSecrets();
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      RATE_LIMIT_REDIS_PREFIX: testRedisPrefix('system'),
      RATE_LIMIT_READS_PER_MINUTE: String(READS),
    };
    a = await startService({ name: 'limits-a', databaseUrl: database.url, secrets, expectBootstrap: true, env });
    b = await startService({ name: 'limits-b', databaseUrl: database.url, secrets, env });
  });

  afterAll(async () => {
    await Promise.all([a, b].map((service) => service?.kill()));
    await database?.drop();
  });

  it('spends one budget across both instances, and each says what is left of it', async () => {
    const { apiKey } = a.bootstrap!;
    const clients = [ApiClient.apiKey(a.baseUrl, apiKey), ApiClient.apiKey(b.baseUrl, apiKey)];
    const responses = [];
    for (let i = 0; i < READS + 2; i++) responses.push(await clients[i % 2]!.get(ROUTE));
    const statuses = responses.map((r) => r.status);
    report('one API key, two instances, one Redis budget', { budget: READS, requests: READS + 2, statuses: tally(statuses) });

    expect(statuses).toEqual([...Array(READS).fill(200), 429, 429]);
    // The remaining count goes down by one per request whichever instance answered.
    expect(responses.slice(0, READS).map((r) => r.headers.get('ratelimit')?.replace(/;t=\d+$/, ''))).toEqual(
      Array.from({ length: READS }, (_, i) => `"reads";r=${READS - 1 - i}`),
    );
    for (const refused of responses.slice(READS)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    }
    expect(a.output() + b.output()).not.toMatch(/Redis is not answering/);
  });
});
