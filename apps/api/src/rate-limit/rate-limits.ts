import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimitSettings } from '../config/app-config';
import { CollapsedLog } from '../http/collapsed-log';
import { Budget, memoryBudget, memoryLimiter, WINDOW_SECONDS } from './budget';

/** The names the RateLimit fields give the three budgets. */
export const POLICIES = { reads: 'reads', writes: 'writes', failedAuth: 'failed-auth' } as const;

/** How long a command may wait for Redis before the budget is counted in memory instead. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
/** How long start-up waits for the first connection to Redis (it keeps trying afterwards). */
export const REDIS_CONNECT_WAIT_MS = 2_000;

/**
 * The three budgets of README "Rate limits": reads and writes per caller (API key or session
 * organization), failed authentications per client address. In memory unless `redisUrl` is set;
 * then in Redis, shared by every instance, with this process's memory as the fallback while
 * Redis does not answer (a collapsed warning says so).
 */
export class RateLimits implements OnModuleInit, OnApplicationShutdown {
  readonly enabled: boolean;
  readonly reads: Budget;
  readonly writes: Budget;
  readonly failedAuth: Budget;
  private readonly redis?: Redis;
  private readonly logger = new Logger('RateLimits');
  private readonly warnings = new CollapsedLog((line) => this.logger.warn(line));

  constructor(settings: RateLimitSettings) {
    this.enabled = settings.enabled;
    if (settings.enabled && settings.redisUrl) {
      // No offline queue: while disconnected a command fails at once (and the budget falls back to
      // memory) instead of waiting in a queue; a command Redis does not answer fails after the timeout.
      this.redis = new Redis(settings.redisUrl, {
        lazyConnect: true,
        enableOfflineQueue: false,
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
        maxRetriesPerRequest: 0,
      });
      this.redis.on('error', (error: unknown) => this.storeFailed(error));
    }
    const budget = (policy: string, quota: number): Budget => {
      if (!this.redis) return memoryBudget(policy, quota);
      const store = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${settings.redisKeyPrefix}:${policy}`,
        points: quota,
        duration: WINDOW_SECONDS,
        rejectIfRedisNotReady: true,
      });
      return new Budget(policy, quota, store, memoryLimiter(policy, quota), (error) => this.storeFailed(error));
    };
    this.reads = budget(POLICIES.reads, settings.readsPerMinute);
    this.writes = budget(POLICIES.writes, settings.writesPerMinute);
    this.failedAuth = budget(POLICIES.failedAuth, settings.failedAuthPerMinute);
  }

  /** Connects to Redis before the first request, so that instances share their budgets from the start. */
  async onModuleInit(): Promise<void> {
    const redis = this.redis;
    if (!redis) return;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((done) => (timer = setTimeout(done, REDIS_CONNECT_WAIT_MS).unref()));
    // A failed first attempt is reported by the 'error' listener; ioredis keeps reconnecting.
    await Promise.race([redis.connect().catch(() => undefined), waited]);
    clearTimeout(timer);
    if (redis.status !== 'ready') this.storeFailed(new Error(`no connection within ${REDIS_CONNECT_WAIT_MS} ms`));
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }

  private storeFailed(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.warnings.report(`Rate limits: Redis is not answering (${reason}); each instance counts its own budgets in memory until it does`);
  }
}
