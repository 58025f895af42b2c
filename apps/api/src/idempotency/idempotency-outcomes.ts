/**
 * What the idempotency interceptor decided for one keyed request (docs/contract.md §5):
 * - `stored`: the request ran and its outcome was stored (a success, or a client error);
 * - `replayed`: a stored outcome of the same request was sent again;
 * - `in-progress`: another request with the key holds its lock (409);
 * - `mismatch`: the key was used with another request (422);
 * - `unverifiable`: the stored outcome's fingerprint key is no longer configured (422).
 */
export type IdempotencyOutcome = 'stored' | 'replayed' | 'in-progress' | 'mismatch' | 'unverifiable';

export const IDEMPOTENCY_OUTCOMES: readonly IdempotencyOutcome[] = ['stored', 'replayed', 'in-progress', 'mismatch', 'unverifiable'];

/** Told each decision, e.g. to count them (the metrics do). Must not throw and must return at once. */
export abstract class IdempotencyOutcomes {
  abstract record(outcome: IdempotencyOutcome): void;
}

/** The default: nobody counts. */
export class IgnoredIdempotencyOutcomes extends IdempotencyOutcomes {
  record(): void {}
}
