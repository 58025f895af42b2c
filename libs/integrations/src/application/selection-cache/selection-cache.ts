import { ChannelChangeListener } from '../ports/integration-change-feed';
import { ChannelType, Integration } from '../../domain/integration';

export interface SelectionCacheOptions {
  /** How long an entry may be served at most, even without a change notice (a safety net). 0 disables the cache. */
  readonly ttlMs: number;
  /** Environment+channel entries kept at most; the least recently used goes first. */
  readonly maxEntries: number;
  /** The clock (tests). */
  readonly now?: () => number;
}

export const DEFAULT_SELECTION_CACHE: SelectionCacheOptions = { ttlMs: 60_000, maxEntries: 10_000 };

interface Entry {
  readonly organizationId: string;
  readonly rows: readonly Integration[];
  readonly expiresAt: number;
}

/** A fill started at this point of the cache's history; `store` refuses it when an invalidation came after. */
export type FillTicket = number;

/**
 * The active integrations of one environment+channel, decrypted, as `SelectIntegration` reads them
 * (docs/contract.md §8, the cache). Bounded (LRU), with a safety-net TTL. It is trusted only while
 * the change feed is connected: before the feed's first `reset`, and after `down`, every read misses.
 *
 * Invalidation is exact under concurrency: a fill takes a ticket before it reads the database, and
 * its rows are stored only when no invalidation of that key (and no reset) happened since — so a
 * read that raced a write can never put the pre-write rows back after the write's notice.
 *
 * Cached integrations are frozen (their credentials, configurations and conditions too): callers
 * share them and must not change them.
 */
export class SelectionCache implements ChannelChangeListener {
  private readonly entries = new Map<string, Entry>();
  private readonly invalidatedAt = new Map<string, number>();
  private clock = 0;
  private resetAt = 0;
  private live = false;
  private readonly now: () => number;

  constructor(private readonly options: SelectionCacheOptions = DEFAULT_SELECTION_CACHE) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  /** Whether entries are served now (enabled and the change feed connected). */
  get serving(): boolean {
    return this.enabled && this.live;
  }

  get size(): number {
    return this.entries.size;
  }

  read(organizationId: string, environmentId: string, channel: ChannelType): readonly Integration[] | undefined {
    if (!this.serving) return undefined;
    const key = keyOf(environmentId, channel);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    if (entry.organizationId !== organizationId) return undefined;
    // Most recently used last: re-insert.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.rows;
  }

  /** Take before reading the database. */
  ticket(): FillTicket {
    return this.clock;
  }

  /** Keeps the rows unless the key was invalidated (or the cache reset) after `ticket`. Returns the rows, frozen. */
  store(
    organizationId: string,
    environmentId: string,
    channel: ChannelType,
    ticket: FillTicket,
    rows: readonly Integration[],
  ): readonly Integration[] {
    const frozen = Object.freeze(rows.map(freeze));
    if (!this.serving) return frozen;
    const key = keyOf(environmentId, channel);
    if (this.resetAt > ticket || (this.invalidatedAt.get(key) ?? 0) > ticket) return frozen;
    this.entries.delete(key);
    this.entries.set(key, { organizationId, rows: frozen, expiresAt: this.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return frozen;
  }

  changed(environmentId: string, channel: ChannelType): void {
    const key = keyOf(environmentId, channel);
    this.entries.delete(key);
    this.invalidatedAt.set(key, ++this.clock);
    // Only in-flight fills read this map; when it grows large, a reset point replaces it.
    if (this.invalidatedAt.size > this.options.maxEntries) {
      this.invalidatedAt.clear();
      this.resetAt = this.clock;
    }
  }

  reset(): void {
    this.clear();
    this.live = true;
  }

  down(): void {
    this.clear();
    this.live = false;
  }

  private clear(): void {
    this.entries.clear();
    this.invalidatedAt.clear();
    this.resetAt = ++this.clock;
  }
}

function keyOf(environmentId: string, channel: ChannelType): string {
  return `${environmentId}:${channel}`;
}

function freeze(integration: Integration): Integration {
  Object.freeze(integration.credentials);
  Object.freeze(integration.configurations);
  for (const condition of integration.conditions) {
    for (const part of condition.children ?? []) Object.freeze(part);
    Object.freeze(condition.children);
    Object.freeze(condition);
  }
  Object.freeze(integration.conditions);
  Object.freeze(integration);
  return integration;
}
