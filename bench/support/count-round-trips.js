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
 * id}`; the answer is `{roundTrips: {id, total, byKind}}`. Without an IPC channel (or with
 * BENCH_ROUND_TRIPS_FILE set) the counts are also written to that file on SIGUSR2. The channel is
 * unref'd: it never keeps the program alive.
 */
const fs = require('node:fs');
const { Client } = require('pg');

const counts = { total: 0, byKind: Object.create(null) };

function kindOf(args) {
  const first = args[0];
  const text = typeof first === 'string' ? first : first && typeof first.text === 'string' ? first.text : undefined;
  if (text === undefined) return '(prepared)';
  const match = /^\s*([A-Za-z]+)/.exec(text);
  return match ? match[1].toUpperCase() : '(other)';
}

const query = Client.prototype.query;
Client.prototype.query = function countedQuery(...args) {
  counts.total += 1;
  const kind = kindOf(args);
  counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
  return query.apply(this, args);
};

const snapshot = () => ({ total: counts.total, byKind: { ...counts.byKind } });

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
