'use strict';
/**
 * `npm run bench -- --scenario instances` (see bench/README.md, "Instances"). Figures, not tests.
 *
 * One PostgreSQL (DATABASE_URL's server, database `integrations_bench_instances`, otherwise a
 * throwaway embedded cluster under .data/), one PgBouncer in transaction mode in front of it
 * (test/support/pgbouncer.js), and 1, then 2, then 3 service instances, all through PgBouncer, each
 * `LISTEN`ing on its own direct connection (DATABASE_DIRECT_URL). For each topology:
 *
 * 1. the create load (BENCH_REQUESTS creates of an inactive sendgrid integration with credentials,
 *    Production environment) and then the selection load (BENCH_REQUESTS `POST /v1/integrations/select`,
 *    email, Development environment), BENCH_CONCURRENCY at a time, request i on instance i % N:
 *    req/s, p50/p99, errors (anything but 201 / 200), requests per instance;
 * 2. meanwhile the staleness check: a writer on the first instance moves the Development email
 *    primary between two integrations (set-primary), one write at a time; a reader on every other
 *    instance (on the first one when it is alone) selects in a loop, one request at a time. For each
 *    write and reader: the delay from the writer's answer to the reader's first answer with the new
 *    primary, and every answer with the old primary that came after the reader had already seen the
 *    new one ("stale after fresh": an instance serving stale data). A write not seen by every
 *    reader within BENCH_STALE_BOUND_MS counts as a violation too.
 *
 * The whole run shares the machine's cores (2 here): more instances do not add throughput, they
 * show that nothing breaks and nothing stale is served. Progress on stderr, the table on stdout,
 * the figures in bench/results/instances.json. Exits 1 when an error or a stale answer was seen.
 *
 * A mode of bench/run.js: the dist/ snapshot, PostgreSQL, the service processes, the CLI bootstrap,
 * HTTP requests, progress and cleanup are its helpers (`h`); this file adds PgBouncer, the
 * round-robin load over N instances and the staleness check.
 */
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

/** bench/run.js's helpers, set when the mode starts, and the knobs read through them. */
let h;
let REQUESTS;
let CONCURRENCY;
let WARMUP;
let MAX_INSTANCES;
let STALE_BOUND_MS;
let POOL_SIZE;
const progress = (message) => h.progress(`instances: ${message}`);
/** run.js's request, with a kept body parsed as JSON (undefined when it is not JSON). */
async function request(agent, options, base) {
  const answer = await h.request(agent, options, base);
  if (!options.keepBody) return answer;
  try {
    return { ...answer, body: JSON.parse(answer.body) };
  } catch {
    return { ...answer, body: undefined };
  }
}
const sleep = (ms) => h.sleep(ms);
const percentile = (sorted, p) => h.percentile(sorted, p);
const round = (value, digits = 1) => h.round(value, digits);
const isInterrupted = () => h.isInterrupted();

/** `count` requests from `make(i)`, CONCURRENCY at a time, request i on instance i % N. */
async function load(instances, agents, make, count, expect) {
  const latencies = new Float64Array(count);
  const statuses = {};
  const perInstance = instances.map((instance) => ({ name: instance.name, requests: 0, errors: 0, latencies: [] }));
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (!isInterrupted()) {
      const i = next++;
      if (i >= count) return;
      const target = i % instances.length;
      const start = process.hrtime.bigint();
      let status;
      try {
        status = String((await request(agents[target], make(i), instances[target].base)).status);
      } catch (error) {
        status = `ERR ${error.code ?? error.message}`;
      }
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      latencies[i] = ms;
      statuses[status] = (statuses[status] ?? 0) + 1;
      perInstance[target].requests += 1;
      perInstance[target].latencies.push(ms);
      if (status !== expect) perInstance[target].errors += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  if (isInterrupted()) throw new Error('interrupted');
  const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: count,
    reqPerSec: round((count / durationMs) * 1000),
    p50Ms: round(percentile(sorted, 50), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    errors: count - (statuses[expect] ?? 0),
    statuses,
    perInstance: perInstance.map(({ latencies: values, ...rest }) => ({
      ...rest,
      p50Ms: round(percentile(Float64Array.from(values).sort(), 50), 2),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Staleness: one writer, one reader per other instance

/**
 * Runs until `stop()` is called: the writer alternates the email primary between `ids[0]` and
 * `ids[1]` on `writer`; each reader selects on its instance in a loop. An answer counts only when
 * no write was in flight from before it was sent until it came back.
 */
function staleness(writer, readers, key, primaries) {
  const state = { version: 0, expected: primaries[0].identifier, ackedAt: process.hrtime.bigint(), writing: false };
  const seen = readers.map(() => new Map()); // version → ms from the write's answer to the first fresh answer
  const figures = {
    writes: 0,
    delaysMs: [],
    staleAfterFresh: 0,
    staleAnswersBeforeFresh: 0,
    unbounded: 0,
    readerErrors: 0,
    writerErrors: 0,
  };
  let running = true;
  const select = { method: 'POST', path: '/v1/integrations/select', headers: key, body: { channel: 'email' }, keepBody: true };

  const readerLoop = async (reader, index) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (running && !isInterrupted()) {
      const sentVersion = state.writing ? -1 : state.version;
      let answer;
      try {
        answer = await request(agent, select, reader.base);
      } catch {
        figures.readerErrors += 1;
        await sleep(10);
        continue;
      }
      if (answer.status !== 200) {
        figures.readerErrors += 1;
        await sleep(10);
        continue;
      }
      if (sentVersion < 0 || state.writing || state.version !== sentVersion) continue; // a write overlapped it
      const identifier = answer.body?.data?.integration?.identifier;
      if (identifier === state.expected) {
        if (!seen[index].has(sentVersion)) seen[index].set(sentVersion, Number(process.hrtime.bigint() - state.ackedAt) / 1e6);
      } else if (seen[index].has(sentVersion)) {
        figures.staleAfterFresh += 1;
        progress(`  ! STALE: ${reader.name} served ${identifier} after it had served ${state.expected} (write ${sentVersion})`);
      } else {
        figures.staleAnswersBeforeFresh += 1;
      }
    }
    agent.destroy();
  };

  const writerLoop = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (running && !isInterrupted()) {
      const target = primaries[(state.version + 1) % 2];
      state.writing = true;
      let answer;
      try {
        answer = await request(agent, { method: 'POST', path: `/v1/integrations/${target._id}/set-primary`, headers: key }, writer.base);
      } catch {
        answer = { status: 'network' };
      }
      state.version += 1;
      state.expected = target.identifier;
      state.ackedAt = process.hrtime.bigint();
      state.writing = false;
      if (answer.status !== 200) {
        figures.writerErrors += 1;
        progress(`  ! set-primary answered ${answer.status}`);
      }
      figures.writes += 1;
      const version = state.version;
      const deadline = Date.now() + STALE_BOUND_MS;
      while (running && seen.some((map) => !map.has(version)) && Date.now() < deadline) await sleep(2);
      if (!running) break;
      const missing = readers.filter((_, i) => !seen[i].has(version));
      if (missing.length) {
        figures.unbounded += missing.length;
        progress(`  ! write ${version} not served by ${missing.map((r) => r.name).join(', ')} within ${STALE_BOUND_MS} ms`);
      }
      for (const map of seen) if (map.has(version)) figures.delaysMs.push(map.get(version));
      await sleep(20); // readers see each state for a while before the next write
    }
    agent.destroy();
  };

  const done = Promise.all([writerLoop(), ...readers.map(readerLoop)]);
  return {
    stop: async () => {
      running = false;
      await done;
      const sorted = Float64Array.from(figures.delaysMs).sort();
      const { delaysMs: _delays, ...rest } = figures;
      return {
        ...rest,
        writer: writer.name,
        readers: readers.map((r) => r.name),
        observations: sorted.length,
        delayMs: {
          p50: round(percentile(sorted, 50), 2),
          p99: round(percentile(sorted, 99), 2),
          max: round(sorted[sorted.length - 1] ?? NaN, 2),
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  progress(
    `config: ${REQUESTS} creates + ${REQUESTS} selections per topology, concurrency ${CONCURRENCY}, 1..${MAX_INSTANCES} instances; ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}, node ${process.version}`,
  );
  const tempDir = h.makeTempDir();
  h.snapshotDist(tempDir);
  const database = await h.startDatabase(tempDir);
  const databaseName = decodeURIComponent(new URL(database.url).pathname.slice(1));
  const { startPgBouncer } = require(path.join(h.ROOT, 'test/support/pgbouncer.js'));
  const pgbouncer = await startPgBouncer({ upstreamUrl: database.url, poolSize: POOL_SIZE });
  h.onCleanup(() => pgbouncer.stop());
  progress(`PgBouncer (transaction mode, pool ${POOL_SIZE}) on port ${pgbouncer.port}`);
  // One set of secrets for every instance (they decrypt each other's rows); LISTEN direct.
  const env = { ...h.serviceEnv(pgbouncer.url(databaseName), 0, tempDir), DATABASE_DIRECT_URL: database.url };

  const instances = [];
  const agents = [];
  const addInstance = async () => {
    const name = `instance-${instances.length + 1}`;
    const port = await h.freePort();
    progress(`starting ${name} on port ${port} ...`);
    const service = await h.startService({ ...env, PORT: String(port), DATA_DIR: path.join(tempDir, name) });
    instances.push({ name, base: service.base, pid: service.pid });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    h.onCleanup(() => agent.destroy());
    agents.push(agent);
  };
  await addInstance(); // runs the migrations

  progress('bootstrapping an organization with the CLI (direct connection) ...');
  const org = await h.bootstrapOrganization(
    { ...env, DATABASE_URL: database.url, PORT: '0', DATA_DIR: path.join(tempDir, 'cli') },
    'Bench instances',
  );
  const dev = { authorization: `ApiKey ${org.development.apiKey}` };
  const prod = { authorization: `ApiKey ${org.production.apiKey}` };
  const credentials = () => ({ apiKey: `SG.${randomBytes(24).toString('base64url')}`, from: 'bench@example.com', senderName: 'Bench' });
  const primaries = [];
  for (const identifier of ['bench-primary-a', 'bench-primary-b']) {
    const answer = await request(
      agents[0],
      {
        method: 'POST',
        path: '/v1/integrations',
        headers: dev,
        body: { providerId: 'sendgrid', identifier, active: true, credentials: credentials() },
        keepBody: true,
      },
      instances[0].base,
    );
    if (answer.status !== 201) throw new Error(`seeding ${identifier}: ${answer.status} ${JSON.stringify(answer.body)}`);
    primaries.push(answer.body.data);
  }
  // The staleness check starts from the first one as the primary.
  const first = await request(
    agents[0],
    { method: 'POST', path: `/v1/integrations/${primaries[0]._id}/set-primary`, headers: dev },
    instances[0].base,
  );
  if (first.status !== 200) throw new Error(`set-primary: ${first.status}`);

  const runId = randomBytes(3).toString('hex');
  const create = (topology) => (i) => ({
    method: 'POST',
    path: '/v1/integrations',
    headers: prod,
    body: {
      providerId: 'sendgrid',
      name: 'Bench',
      identifier: `bench-${runId}-${topology}-${i}`,
      active: false,
      credentials: credentials(),
    },
  });
  const select = () => ({ method: 'POST', path: '/v1/integrations/select', headers: dev, body: { channel: 'email' } });

  const results = [];
  for (let count = 1; count <= MAX_INSTANCES; count++) {
    if (instances.length < count) await addInstance();
    const active = instances.slice(0, count);
    const activeAgents = agents.slice(0, count);
    if (WARMUP) {
      progress(`${count} instance(s): warm-up, ${WARMUP} selections and ${WARMUP} creates ...`);
      await load(active, activeAgents, select, WARMUP, '200');
      await load(active, activeAgents, create(`warm${count}`), WARMUP, '201');
    }
    const check = staleness(active[0], count === 1 ? active : active.slice(1), dev, primaries);
    progress(`${count} instance(s): ${REQUESTS} creates, round robin, with the staleness check running ...`);
    const creates = await load(active, activeAgents, create(`t${count}`), REQUESTS, '201');
    progress(`  ${creates.reqPerSec} req/s, p50 ${creates.p50Ms} ms, p99 ${creates.p99Ms} ms, errors ${creates.errors}`);
    progress(`${count} instance(s): ${REQUESTS} selections, round robin, with the staleness check running ...`);
    const selections = await load(active, activeAgents, select, REQUESTS, '200');
    progress(`  ${selections.reqPerSec} req/s, p50 ${selections.p50Ms} ms, p99 ${selections.p99Ms} ms, errors ${selections.errors}`);
    const stale = await check.stop();
    progress(
      `  staleness: ${stale.writes} writes, delay p50 ${stale.delayMs.p50} ms, max ${stale.delayMs.max} ms, stale after fresh ${stale.staleAfterFresh}`,
    );
    results.push({ instances: count, creates, selections, staleness: stale });
  }

  const pools = await adminShow(pgbouncer, 'SHOW POOLS').catch((error) => `unavailable: ${error.message}`);
  await h.cleanup();

  const broken = results.filter(
    (r) =>
      r.creates.errors ||
      r.selections.errors ||
      r.staleness.staleAfterFresh ||
      r.staleness.unbounded ||
      r.staleness.readerErrors ||
      r.staleness.writerErrors,
  );
  const resultsFile = path.join(h.RESULTS_DIR, 'instances.json');
  fs.mkdirSync(h.RESULTS_DIR, { recursive: true });
  fs.writeFileSync(
    resultsFile,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, database: database.mode, requests: REQUESTS, concurrency: CONCURRENCY, pgbouncerPoolSize: POOL_SIZE, staleBoundMs: STALE_BOUND_MS, results, pgbouncerPoolsAtEnd: pools }, null, 2)}\n`,
  );
  process.stdout.write(`\n${table(results)}\n`);
  progress(
    `figures in ${path.relative(h.ROOT, resultsFile)}; ${broken.length ? 'FAILED: errors or stale answers above' : 'no errors, no stale answer'}`,
  );
  if (broken.length) throw new Error(`errors or stale answers in ${broken.length} topology(ies): see the table above`);
}

/** A `SHOW …` of PgBouncer's admin console, as rows (simple query protocol: the console has no extended protocol). */
async function adminShow(pgbouncer, command) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: pgbouncer.adminUrl() });
  await client.connect();
  try {
    return (await client.query(command)).rows;
  } finally {
    await client.end();
  }
}

function table(results) {
  const rows = [
    ['instances', 'load', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'per instance (requests / p50 ms)'],
    ...results.flatMap((r) =>
      [
        ['creates', r.creates],
        ['selections', r.selections],
      ].map(([name, run]) => [
        String(r.instances),
        name,
        String(run.reqPerSec),
        String(run.p50Ms),
        String(run.p99Ms),
        String(run.errors),
        run.perInstance.map((p) => `${p.requests} / ${p.p50Ms}`).join(', '),
      ]),
    ),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const stale = results.map(
    ({ instances, staleness: s }) =>
      `  ${instances} instance(s): writer ${s.writer}, readers ${s.readers.join(', ')}: ${s.writes} writes, ${s.observations} observations, delay p50 ${s.delayMs.p50} ms, p99 ${s.delayMs.p99} ms, max ${s.delayMs.max} ms; old answers sent after the write's answer (before the first fresh one) ${s.staleAnswersBeforeFresh}, stale after fresh ${s.staleAfterFresh}, not seen within ${STALE_BOUND_MS} ms ${s.unbounded}, reader/writer errors ${s.readerErrors}/${s.writerErrors}`,
  );
  return [
    `Instances through one PgBouncer (transaction mode), ${os.cpus().length} CPUs, concurrency ${CONCURRENCY}`,
    ...lines,
    '',
    'Staleness (write on the first instance → every other instance serves it)',
    ...stale,
  ].join('\n');
}

/** `npm run bench -- --scenario instances`: bench/run.js's MODES hands over its helpers. */
module.exports = function instancesMain(helpers) {
  h = helpers;
  REQUESTS = h.REQUESTS;
  CONCURRENCY = h.CONCURRENCY;
  WARMUP = h.WARMUP;
  MAX_INSTANCES = h.intEnv('BENCH_INSTANCES', 3, 1, 8);
  STALE_BOUND_MS = h.intEnv('BENCH_STALE_BOUND_MS', 5_000, 10, 600_000);
  POOL_SIZE = h.intEnv('BENCH_PGBOUNCER_POOL_SIZE', 20, 1, 1000);
  return main();
};
