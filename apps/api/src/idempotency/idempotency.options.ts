import { IDEMPOTENCY_TTL_MS } from './idempotency-request';

export const IDEMPOTENCY_OPTIONS = Symbol('IDEMPOTENCY_OPTIONS');

export interface IdempotencyOptions {
  /** How long an outcome is replayed (24 h). */
  readonly ttlMs: number;
  /** How often each instance deletes expired outcomes; 0 turns the purge off. */
  readonly purgeIntervalMs: number;
  /** Rows per DELETE (short statements that never hold many locks). */
  readonly purgeBatchSize: number;
}

export const DEFAULT_IDEMPOTENCY_OPTIONS: IdempotencyOptions = {
  ttlMs: IDEMPOTENCY_TTL_MS,
  purgeIntervalMs: 10 * 60 * 1000,
  purgeBatchSize: 1000,
};
