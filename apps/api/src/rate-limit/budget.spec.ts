import { RateLimiterAbstract, RateLimiterMemory } from 'rate-limiter-flexible';
import { Budget, memoryBudget, memoryLimiter, WINDOW_SECONDS } from './budget';

/** A store that is down: every operation fails, as RateLimiterRedis does while Redis does not answer. */
class DownStore extends RateLimiterMemory {
  override consume(): never {
    throw new Error('connection refused');
  }
  override get(): never {
    throw new Error('connection refused');
  }
}

describe('Budget', () => {
  it('allows the quota per key, then refuses, and counts each key apart', async () => {
    const budget = memoryBudget('writes', 3);
    const states = [];
    for (let i = 0; i < 4; i++) states.push(await budget.consume('key:a'));
    expect(states.map((state) => [state.allowed, state.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(states[3]!.resetMs).toBeGreaterThan(0);
    expect(states[3]!.resetMs).toBeLessThanOrEqual(WINDOW_SECONDS * 1_000);
    expect((await budget.consume('key:b')).allowed).toBe(true);
  });

  it('peeks without spending: a fresh key has its whole quota, a spent one says the next request would be refused', async () => {
    const budget = memoryBudget('failed-auth', 2);
    expect(await budget.peek('10.0.0.1')).toMatchObject({ allowed: true, remaining: 2, quota: 2, windowSeconds: WINDOW_SECONDS });
    await budget.consume('10.0.0.1');
    expect(await budget.peek('10.0.0.1')).toMatchObject({ allowed: true, remaining: 1 });
    expect(await budget.peek('10.0.0.1')).toMatchObject({ allowed: true, remaining: 1 });
    await budget.consume('10.0.0.1');
    expect(await budget.peek('10.0.0.1')).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('counts in memory, and says so, while its store fails', async () => {
    const errors: unknown[] = [];
    const budget = new Budget(
      'reads',
      2,
      new DownStore({ points: 2, duration: 60 }) as RateLimiterAbstract,
      memoryLimiter('reads', 2),
      (error) => errors.push(error),
    );
    const allowed = [];
    for (let i = 0; i < 3; i++) allowed.push((await budget.consume('key:a')).allowed);
    expect(allowed).toEqual([true, true, false]);
    expect((await budget.peek('key:a')).allowed).toBe(false);
    expect(errors).toHaveLength(4);
    expect(String(errors[0])).toMatch(/connection refused/);
  });

  it('without a fallback, a failing store fails the request', async () => {
    const budget = new Budget('reads', 2, new DownStore({ points: 2, duration: 60 }) as RateLimiterAbstract);
    await expect(budget.consume('key:a')).rejects.toThrow(/connection refused/);
  });
});
