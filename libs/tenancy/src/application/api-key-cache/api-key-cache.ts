import { Inject, Injectable } from '@nestjs/common';
import { ApiKeyPrincipal } from '../../domain/api-key';
import { Clock } from '../ports/clock';

export interface ApiKeyCacheOptions {
  /** How long an entry is served; 0 disables the cache. */
  readonly ttlMs: number;
  /** Past this many entries the least recently used one is dropped. */
  readonly maxEntries: number;
}

/** Injection token of the cache's `ApiKeyCacheOptions` (TenancyModule derives them from its options). */
export const API_KEY_CACHE_OPTIONS = Symbol('API_KEY_CACHE_OPTIONS');

interface Entry {
  readonly principal: ApiKeyPrincipal;
  readonly expiresAt: number;
}

/**
 * In-process cache of successful API-key lookups, keyed by the secret's hash (the secret itself is
 * never kept). Bounded and least-recently-used (a Map keeps insertion order; a hit re-inserts).
 *
 * `invalidate` bumps a generation: a lookup that started before an invalidation cannot put its
 * (possibly stale) result in the cache afterwards — see `generation` / `set`.
 */
@Injectable()
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly hashByKeyId = new Map<string, string>();
  private currentGeneration = 0;

  constructor(
    @Inject(API_KEY_CACHE_OPTIONS) private readonly options: ApiKeyCacheOptions,
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Take this before a database lookup and hand it back to `set`. */
  get generation(): number {
    return this.currentGeneration;
  }

  get(keyHash: string): ApiKeyPrincipal | undefined {
    const entry = this.entries.get(keyHash);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now().getTime()) {
      this.remove(keyHash, entry);
      return undefined;
    }
    this.entries.delete(keyHash);
    this.entries.set(keyHash, entry);
    return entry.principal;
  }

  /** Stores a lookup result unless the cache was invalidated since `generation` was read. */
  set(keyHash: string, principal: ApiKeyPrincipal, generation: number): void {
    if (this.options.ttlMs <= 0 || this.options.maxEntries <= 0) return;
    if (generation !== this.currentGeneration) return;
    const existing = this.entries.get(keyHash);
    if (existing) this.remove(keyHash, existing);
    this.entries.set(keyHash, { principal, expiresAt: this.clock.now().getTime() + this.options.ttlMs });
    this.hashByKeyId.set(principal.apiKeyId, keyHash);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.remove(oldest, this.entries.get(oldest)!);
    }
  }

  /** Drops the key with this id, and makes lookups in flight unable to re-add anything. */
  invalidate(apiKeyId: string): void {
    this.currentGeneration++;
    const keyHash = this.hashByKeyId.get(apiKeyId);
    if (keyHash !== undefined) {
      const entry = this.entries.get(keyHash);
      if (entry) this.remove(keyHash, entry);
      else this.hashByKeyId.delete(apiKeyId);
    }
  }

  clear(): void {
    this.currentGeneration++;
    this.entries.clear();
    this.hashByKeyId.clear();
  }

  private remove(keyHash: string, entry: Entry): void {
    this.entries.delete(keyHash);
    if (this.hashByKeyId.get(entry.principal.apiKeyId) === keyHash) this.hashByKeyId.delete(entry.principal.apiKeyId);
  }
}
