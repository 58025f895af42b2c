import { Logger } from '@nestjs/common';
import { RateLimits } from '../../../apps/api/src/rate-limit/rate-limits';
import { closedPort, silentServer } from '../verification/verification-fixtures';

/**
 * README "Rate limits": while Redis does not answer, requests are neither refused nor failed; each
 * instance keeps the same budgets in its own memory and warns (collapsed) that it does.
 */
describe('rate limits while Redis does not answer', () => {
  let warnings: string[];

  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });

  afterEach(() => jest.restoreAllMocks());

  async function budgetsAt(redisUrl: string): Promise<RateLimits> {
    const limits = new RateLimits({
      enabled: true,
      readsPerMinute: 2,
      writesPerMinute: 2,
      failedAuthPerMinute: 2,
      redisUrl,
      redisKeyPrefix: 'test:rate-limit:unavailable',
    });
    await limits.onModuleInit();
    return limits;
  }

  it.each([
    ['refuses connections', async () => ({ url: `redis://127.0.0.1:${await closedPort()}`, close: async () => undefined })],
    [
      'accepts connections and never answers',
      async () => {
        const server = await silentServer();
        return { url: `redis://127.0.0.1:${server.port}`, close: () => server.close() };
      },
    ],
  ])('when Redis %s, counts the budget in memory and warns once', async (_case, redis) => {
    const { url, close } = await redis();
    const limits = await budgetsAt(url);
    try {
      const allowed = [];
      for (let i = 0; i < 3; i++) allowed.push((await limits.reads.consume('key:a')).allowed);
      expect(allowed).toEqual([true, true, false]);
      expect((await limits.failedAuth.peek('10.0.0.1')).allowed).toBe(true);
      // Collapsed: the first failure is written, the ones that follow within the interval are only counted.
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^Rate limits: Redis is not answering \(.+\); each instance counts its own budgets in memory/);
      expect(warnings[0]).not.toContain(url);
    } finally {
      limits.onApplicationShutdown();
      await close();
    }
  });
});
