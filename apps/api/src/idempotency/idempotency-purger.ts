import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IdempotencyFingerprints } from './idempotency-fingerprint';
import { IDEMPOTENCY_OPTIONS, IdempotencyOptions } from './idempotency.options';
import { IdempotencyStore } from './idempotency.store';

/**
 * Deletes expired idempotency outcomes in the background: once at start-up and then every
 * `purgeIntervalMs`, in small batches that skip locked rows, so requests are never blocked and
 * several instances can purge at the same time. Failures (database down) are logged and retried
 * at the next tick. The timer never keeps the process alive.
 *
 * Each pass also re-keys the fingerprints of rows written before they were keyed (by a previous
 * version, possibly still running during a rolling upgrade), so a plain SHA-256 of a request is
 * kept at most one interval, not for the row's whole life.
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
    private readonly fingerprints: IdempotencyFingerprints,
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
      let sealed = 0;
      const seal = (legacyHash: string) => this.fingerprints.seal(legacyHash);
      for (;;) {
        if (this.stopped) break;
        const count = await this.store.sealLegacyFingerprints(seal, this.options.purgeBatchSize);
        sealed += count;
        if (count < this.options.purgeBatchSize) break;
      }
      if (sealed > 0) this.logger.log(`Re-keyed the fingerprints of ${sealed} idempotency record(s) stored before the upgrade`);
    } catch (error) {
      this.logger.warn(
        `Purging (or re-keying) idempotency records failed (retried later): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
