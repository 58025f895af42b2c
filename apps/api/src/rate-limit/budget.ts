import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { ServiceLimit } from './rate-limit-headers';

/** Every budget renews each minute: the variables say "per minute" (README "Rate limits"). */
export const WINDOW_SECONDS = 60;

/** Where a budget stands for one key, after a request took from it (`consume`) or without touching it (`peek`). */
export interface BudgetState extends ServiceLimit {
  /** `consume`: this request fits in the budget. `peek`: the next one would. */
  readonly allowed: boolean;
}

/**
 * One named quota per key and per minute (a fixed window), kept by rate-limiter-flexible in memory
 * or in Redis. With a `fallback` (the Redis case), a store that fails (Redis down, slow, refusing)
 * does not fail the request: the same budget is kept in this process's memory instead, and
 * `onStoreError` is told (it logs, collapsed); see README "Rate limits".
 */
export class Budget {
  constructor(
    readonly policy: string,
    readonly quota: number,
    private readonly store: RateLimiterAbstract,
    private readonly fallback?: RateLimiterMemory,
    private readonly onStoreError: (error: unknown) => void = () => undefined,
  ) {}

  /** Takes one point for `key`. Over the quota, `allowed` is false (and the point is still counted). */
  async consume(key: string): Promise<BudgetState> {
    const result = await this.run((limiter) =>
      limiter.consume(key).then(
        (res) => res,
        (refusal: unknown) => {
          if (refusal instanceof RateLimiterRes) return refusal;
          throw refusal;
        },
      ),
    );
    return this.state(result.consumedPoints <= this.quota, result);
  }

  /** Where `key` stands, without taking a point. */
  async peek(key: string): Promise<BudgetState> {
    const result = await this.run((limiter) => limiter.get(key));
    if (!result) return { ...this.limit(this.quota, WINDOW_SECONDS * 1_000), allowed: true };
    return this.state(result.consumedPoints < this.quota, result);
  }

  private async run<T>(operation: (limiter: RateLimiterAbstract) => Promise<T>): Promise<T> {
    try {
      return await operation(this.store);
    } catch (error) {
      if (!this.fallback) throw error;
      this.onStoreError(error);
      return operation(this.fallback);
    }
  }

  private state(allowed: boolean, result: RateLimiterRes): BudgetState {
    return { ...this.limit(result.remainingPoints, result.msBeforeNext), allowed };
  }

  private limit(remaining: number, resetMs: number): ServiceLimit {
    return { policy: this.policy, quota: this.quota, windowSeconds: WINDOW_SECONDS, remaining: Math.max(0, remaining), resetMs };
  }
}

/** A budget in this process's memory. */
export function memoryBudget(policy: string, quota: number): Budget {
  return new Budget(policy, quota, memoryLimiter(policy, quota));
}

export function memoryLimiter(policy: string, quota: number): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix: policy, points: quota, duration: WINDOW_SECONDS });
}
