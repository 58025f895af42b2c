/** Who owns a key: keys are scoped to an organization (spec §5). */
export interface IdempotencyScope {
  readonly organizationId: string;
  readonly key: string;
}

/** A finished request's outcome, as replayed to a retry. */
export interface StoredOutcome {
  /** sha256 of the request (method, path, environment, canonical body): see `requestFingerprint`. */
  readonly fingerprint: string;
  readonly statusCode: number;
  /** The response body exactly as JSON text. */
  readonly body: string;
}

/** Undoes the writes made after it was taken, keeping the transaction (and its locks) alive. */
export interface Savepoint {
  rollback(): Promise<void>;
}

/**
 * Where idempotency outcomes live (PostgreSQL). Every method except `purgeExpired` must run inside
 * the request's `UnitOfWork.run`, so that the lock, the lookup, the business writes and the stored
 * outcome share one transaction.
 */
export abstract class IdempotencyStore {
  /**
   * Takes the transaction-scoped lock of this organization + key without waiting. false: another
   * transaction (in this or any other instance) holds it, i.e. the same key is being processed.
   */
  abstract tryLock(scope: IdempotencyScope): Promise<boolean>;

  /** The stored outcome of this key, unless it has expired. */
  abstract findLive(scope: IdempotencyScope): Promise<StoredOutcome | undefined>;

  /** Stores (or replaces an expired) outcome that expires `ttlMs` after the database's now(). */
  abstract save(scope: IdempotencyScope, outcome: StoredOutcome, ttlMs: number): Promise<void>;

  /** A savepoint in the current transaction (to roll a failed handler back but keep the lock). */
  abstract savepoint(): Promise<Savepoint>;

  /** Deletes up to `limit` expired outcomes (skipping rows others hold); returns how many. */
  abstract purgeExpired(limit: number): Promise<number>;
}
