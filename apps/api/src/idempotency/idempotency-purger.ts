import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IDEMPOTENCY_OPTIONS, IdempotencyOptions } from './idempotency.options';
import { IdempotencyStore } from './idempotency.store';

/**
 * Deletes expired idempotency outcomes in the background: once at start-up and then every
 * `purgeIntervalMs`, in small batches that skip locked rows, so requests are never blocked and
 * several instances can purge at the same time. Failures (database down) are logged and retried
 * at the next tick. The timer never keeps the process alive.
 */
@Injectable()
export class IdempotencyPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IdempotencyPurger');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: IdempotencyStore,
    @Inject(IDEMPOTENCY_OPTIONS) private readonly options: IdempotencyOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.purgeIntervalMs <= 0) return;
    this.timer = setInterval(() => void this.purgeNow(), this.options.purgeIntervalMs);
    this.timer.unref();
    void this.purgeNow();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running; // never close the pool under a running DELETE
  }

  /** One purge pass (joins the previous one while it still runs); resolves when it is done. */
  purgeNow(): Promise<void> {
    this.running ??= this.purge().finally(() => (this.running = undefined));
    return this.running;
  }

  private async purge(): Promise<void> {
    let total = 0;
    try {
      for (;;) {
        if (this.stopped) break;
        const deleted = await this.store.purgeExpired(this.options.purgeBatchSize);
        total += deleted;
        if (deleted < this.options.purgeBatchSize) break;
      }
      if (total > 0) this.logger.log(`Purged ${total} expired idempotency record(s)`);
    } catch (error) {
      this.logger.warn(`Purging expired idempotency records failed (retried later): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
