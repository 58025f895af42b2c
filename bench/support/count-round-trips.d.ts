/** Typings of bench/support/count-round-trips.js (plain CommonJS, preloaded by the bench). */

/** What the counter has seen since it was loaded. */
export interface RoundTripCounts {
  /** Round trips: statements sent while their client had no other one in flight (or did not pipeline). */
  readonly total: number;
  /** Statements by first word (`SELECT`, `BEGIN`, …). */
  readonly byKind: Readonly<Record<string, number>>;
  /** Statements by text (whitespace collapsed, random `_<hex>` suffixes folded, cut at 160 characters). */
  readonly byStatement: Readonly<Record<string, number>>;
}

/** The counts so far (requiring the module installs the counter on pg's `Client.prototype.query`). */
export function snapshot(): RoundTripCounts;
