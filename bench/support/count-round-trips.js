'use strict';
/**
 * Counts the process's PostgreSQL round trips: `node --require bench/support/count-round-trips.js …`
 * wraps `pg`'s `Client.prototype.query` before the program loads, so every statement of every
 * client (pooled ones, TypeORM's, a LISTEN connection's; BEGIN, COMMIT and ROLLBACK included) is
 * counted. `total` is round trips: a statement sent while its client has no other one in flight
 * starts one. Without pipelining node-postgres waits for each answer before it sends the next
 * statement, so every statement is a round trip; a client in pipeline mode (`client.pipeline`, as
 * the service's transactions use) sends statements behind one still in flight, and those share its
 * round trip (test/e2e/round-trips.e2e-spec.ts asserts the targets with this counter). `byKind`
 * and `byStatement` count statements.
 *
 * The counts are kept by the first word of the statement (`SELECT`, `INSERT`, `BEGIN`, …, or
 * `(prepared)` for a query object without text) and handed to the parent process over the IPC
 * channel: the bench spawns the program with an `ipc` stdio slot and BENCH_ROUND_TRIPS_IPC=1, and
 * sends `{roundTrips: 'read', id}`; the answer is `{roundTrips: {id, total, byKind, byStatement}}`. Without an IPC channel (or with
 * BENCH_ROUND_TRIPS_FILE set) the counts are also written to that file on SIGUSR2. The channel is
 * unref'd: it never keeps the program alive. Required (not preloaded), it exports `snapshot()`.
 */
const fs = require('node:fs');
const { Client } = require('pg');

const counts = { total: 0, byKind: Object.create(null), byStatement: new Map() };
/** Distinct statement texts kept; later new ones are counted under `(more statements)`. */
const MAX_STATEMENTS = 300;
const STATEMENT_CHARS = 160;

function textOf(args) {
  const first = args[0];
  return typeof first === 'string' ? first : first && typeof first.text === 'string' ? first.text : undefined;
}

function kindOf(text) {
  if (text === undefined) return '(prepared)';
  const match = /^\s*([A-Za-z]+)/.exec(text);
  return match ? match[1].toUpperCase() : '(other)';
}

/** Statements sent and not answered yet, per client. */
const inFlight = new WeakMap();

const query = Client.prototype.query;
Client.prototype.query = function countedQuery(...args) {
  const pending = inFlight.get(this) ?? 0;
  if (!this.pipeline || pending === 0) counts.total += 1;
  inFlight.set(this, pending + 1);
  const text = textOf(args);
  const kind = kindOf(text);
  counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
  // Savepoint names and the like carry a random suffix: one statement, whatever the suffix.
  let statement =
    text === undefined
      ? '(prepared)'
      : text
          .replace(/\s+/g, ' ')
          .trim()
          .replace(/_[0-9a-f]{8,}\b/g, '_…')
          .slice(0, STATEMENT_CHARS);
  if (!counts.byStatement.has(statement) && counts.byStatement.size >= MAX_STATEMENTS) statement = '(more statements)';
  counts.byStatement.set(statement, (counts.byStatement.get(statement) ?? 0) + 1);
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
  };
  const callback = args.length > 0 && typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined;
  if (callback) {
    args[args.length - 1] = function answered(...answer) {
      settle();
      return callback.apply(this, answer);
    };
  }
  const result = query.apply(this, args);
  if (callback) return result;
  if (result && typeof result.then === 'function') result.then(settle, settle);
  else if (result && typeof result.on === 'function') {
    // A submittable (a query object, a cursor): answered once it ends or fails.
    result.once('end', settle);
    result.once('error', settle);
  } else settle();
  return result;
};

/** The counts so far: `total`, `byKind` (first word), `byStatement` (the text, whitespace collapsed, random `_<hex>` suffixes as `_…`, cut at 160 characters). */
const snapshot = () => ({ total: counts.total, byKind: { ...counts.byKind }, byStatement: Object.fromEntries(counts.byStatement) });

// Only where the bench asked for it (spawnChild sets BENCH_ROUND_TRIPS_IPC): a process that merely
// requires the counter (test/e2e/round-trips.e2e-spec.ts, in a Jest worker with an IPC channel of
// its own) must keep its channel as it is.
if (process.env.BENCH_ROUND_TRIPS_IPC === '1' && typeof process.send === 'function') {
  process.on('message', (message) => {
    if (message && message.roundTrips === 'read') process.send({ roundTrips: { id: message.id, ...snapshot() } });
  });
  if (process.channel) process.channel.unref();
}

if (process.env.BENCH_ROUND_TRIPS_FILE) {
  const file = process.env.BENCH_ROUND_TRIPS_FILE;
  process.on('SIGUSR2', () => fs.writeFileSync(file, `${JSON.stringify(snapshot())}\n`));
}

/** For a process that loads the counter itself (the bench's in-process host): the counts so far. */
module.exports = { snapshot };
