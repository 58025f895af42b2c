import { Injectable, Logger } from '@nestjs/common';
import { ApiKeyRepository } from '../ports/api-key.repository';
import { Clock } from '../ports/clock';

/** `last_used_at` is kept to this precision: at most one write per key per interval. */
export const LAST_USED_INTERVAL_MS = 60_000;
/** Past this many remembered keys the memory is dropped (one extra write per key at worst). */
const MAX_REMEMBERED_KEYS = 10_000;

/**
 * Records that a key authenticated a request, cheaply: this process writes `last_used_at` at most
 * once a minute per key (it remembers when it last did), and the write itself is conditional, so
 * several processes together still update a row about once a minute. The write does not delay the
 * request and its failure (database down) is only logged at debug level: the time is informative.
 */
@Injectable()
export class ApiKeyUsage {
  private readonly lastWrite = new Map<string, number>();
  private readonly logger = new Logger('ApiKeyUsage');

  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly clock: Clock,
  ) {}

  record(apiKeyId: string): void {
    const now = this.clock.now();
    const previous = this.lastWrite.get(apiKeyId);
    if (previous !== undefined && now.getTime() - previous < LAST_USED_INTERVAL_MS) return;
    if (this.lastWrite.size >= MAX_REMEMBERED_KEYS) this.lastWrite.clear();
    this.lastWrite.set(apiKeyId, now.getTime());
    this.apiKeys.recordUse(apiKeyId, now, LAST_USED_INTERVAL_MS).catch((error: unknown) => {
      this.logger.debug(`last_used_at of API key ${apiKeyId} not written: ${(error as Error)?.message ?? String(error)}`);
    });
  }
}
