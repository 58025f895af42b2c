'use strict';
/**
 * Counts the process's PostgreSQL round trips: `node --require bench/support/count-round-trips.js …`
 * wraps `pg`'s `Client.prototype.query` before the program loads, so every statement of every
 * client (pooled ones, TypeORM's, a LISTEN connection's; BEGIN, COMMIT and ROLLBACK included) adds
 * one. One `query` call is one round trip: node-postgres sends each statement (parse, bind, execute,
 * sync) in one flight and waits for its answer before the client sends the next.
 *
 * The counts are kept by the first word of the statement (`SELECT`, `INSERT`, `BEGIN`, …, or
 * `(prepared)` for a query object without text) and handed to the parent process over the IPC
 * channel: the bench spawns the program with an `ipc` stdio slot and sends `{roundTrips: 'read',
 * id}`; the answer is `{roundTrips: {id, total, byKind, byStatement}}`. Without an IPC channel (or with
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

const query = Client.prototype.query;
Client.prototype.query = function countedQuery(...args) {
  counts.total += 1;
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
  return query.apply(this, args);
};

/** The counts so far: `total`, `byKind` (first word), `byStatement` (the text, whitespace collapsed, random `_<hex>` suffixes as `_…`, cut at 160 characters). */
const snapshot = () => ({ total: counts.total, byKind: { ...counts.byKind }, byStatement: Object.fromEntries(counts.byStatement) });

if (typeof process.send === 'function') {
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
