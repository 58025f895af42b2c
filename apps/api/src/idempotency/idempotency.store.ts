import type { TransactionHandle } from '@app/integrations';
import type { StoredFingerprint } from './idempotency-fingerprint';

/** Who owns a key: keys are scoped to an organization (docs/contract.md §5). */
export interface IdempotencyScope {
  readonly organizationId: string;
  readonly key: string;
}

/** A finished request's outcome, as replayed to a retry. */
export interface StoredOutcome {
  /** The keyed fingerprint of the request (method, path, environment, canonical body). */
  readonly fingerprint: StoredFingerprint;
  readonly statusCode: number;
  /** The response body exactly as JSON text. */
  readonly body: string;
}

/**
 * A live stored outcome that cannot be read: its response was encrypted with a key that is no longer
 * configured (or was altered). Carries no stored material. The key cannot be verified nor replayed.
 */
export class UnreadableIdempotencyRecord extends Error {
  constructor(readonly keyId: string | null) {
    super(`stored idempotent response cannot be decrypted (fingerprint key id ${keyId === null ? 'none' : `"${keyId}"`})`);
    this.name = 'UnreadableIdempotencyRecord';
  }
}

/** Undoes the writes made after it was taken, keeping the transaction (and its locks) alive. */
export interface Savepoint {
  rollback(): Promise<void>;
}

/**
 * Where idempotency outcomes live (PostgreSQL). The request-time methods take the request's
 * transaction (the handle of the interceptor's `UnitOfWork.run`, which the use cases join), so
 * that the lock, the lookup, the business writes and the stored outcome commit together.
 */
export abstract class IdempotencyStore {
  /**
   * Takes the transaction-scoped lock of this organization + key without waiting. false: another
   * transaction (in this or any other instance) holds it, i.e. the same key is being processed.
   */
  abstract tryLock(transaction: TransactionHandle, scope: IdempotencyScope): Promise<boolean>;

  /** The stored outcome of this key, unless it has expired. Throws `UnreadableIdempotencyRecord`. */
  abstract findLive(transaction: TransactionHandle, scope: IdempotencyScope): Promise<StoredOutcome | undefined>;

  /**
   * Stores (or replaces an expired) outcome that expires `ttlMs` after the database's now(). Sends
   * its statements before its first `await` and fails when a live outcome is stored already (so
   * that it can be the last statements of `DeferredTransaction.commit`).
   */
  abstract save(transaction: TransactionHandle, scope: IdempotencyScope, outcome: StoredOutcome, ttlMs: number): Promise<void>;

  /** A savepoint in the transaction (to roll a failed handler back but keep the lock). */
  abstract savepoint(transaction: TransactionHandle): Promise<Savepoint>;

  /** Deletes up to `limit` expired outcomes (skipping rows others hold); returns how many. Runs outside a request. */
  abstract purgeExpired(limit: number): Promise<number>;

  /**
   * Re-keys up to `limit` fingerprints stored before they were keyed (no key id: a plain SHA-256),
   * skipping rows others hold, with `seal`; returns how many. Like `purgeExpired`, runs outside a
   * request.
   */
  abstract sealLegacyFingerprints(seal: (legacyHash: string) => StoredFingerprint, limit: number): Promise<number>;
}
