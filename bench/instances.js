#!/usr/bin/env node
'use strict';
/**
 * `node bench/instances.js` (or `npm run bench -- --scenario instances`; see bench/README.md,
 * "Instances"). Figures, not tests; needs `npm run build` first.
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
 * Plain CommonJS, self-contained (bench/run.js runs its own main() when loaded, so nothing is shared
 * with it but the approach: a snapshot of dist/, its own PostgreSQL, child processes).
 */
const { spawn, execFile } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const FILES = {
  main: 'apps/api/apps/api/src/main.js',
  cli: 'apps/api/apps/api/src/cli.js',
  embedded: 'apps/api/apps/api/src/database/embedded-postgres.js',
};
const HOST = '127.0.0.1';
const DATABASE = 'integrations_bench_instances';
const RESULTS = path.join(__dirname, 'results', 'instances.json');

function intEnv(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be an integer in ${min}..${max} (got "${raw}")`);
  return value;
}
const REQUESTS = intEnv('BENCH_REQUESTS', 2000, 1, 10_000_000);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 16, 1, 10_000);
const WARMUP = intEnv('BENCH_WARMUP', 200, 0, 1_000_000);
const MAX_INSTANCES = intEnv('BENCH_INSTANCES', 3, 1, 8);
const STALE_BOUND_MS = intEnv('BENCH_STALE_BOUND_MS', 5_000, 10, 600_000);
const POOL_SIZE = intEnv('BENCH_PGBOUNCER_POOL_SIZE', 20, 1, 1000);

// ---------------------------------------------------------------------------------------------
// Output and cleanup

const started = Date.now();
function progress(message) {
  process.stderr.write(`[bench instances ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}\n`);
}
const cleanups = [];
const syncCleanups = [];
async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (error) {
      progress(`cleanup step failed: ${error && error.message ? error.message : error}`);
    }
  }
}
process.on('exit', () => {
  for (const fn of syncCleanups.splice(0).reverse()) {
    try {
      fn();
    } catch {
      /* exiting anyway */
    }
  }
});
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    progress(`${signal}: stopping ...`);
    void cleanup().finally(() => process.exit(130));
  });
}
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// ---------------------------------------------------------------------------------------------
// dist/ snapshot, PostgreSQL, PgBouncer, the service

/** .data/bench-instances-XXXXXX with a copy of dist/: a rebuild during the run cannot change the code under test. */
function snapshotDist() {
  const missing = Object.values(FILES).filter((file) => !fs.existsSync(path.join(DIST, file)));
  if (missing.length) throw new Error(`dist/ is incomplete (missing ${missing.join(', ')}): run npm run build first`);
  fs.mkdirSync(path.join(ROOT, '.data'), { recursive: true, mode: 0o700 });
  const tempDir = fs.mkdtempSync(path.join(ROOT, '.data', 'bench-instances-'));
  const remove = () => fs.rmSync(tempDir, { recursive: true, force: true });
  syncCleanups.push(remove);
  cleanups.push(remove);
  fs.cpSync(DIST, path.join(tempDir, 'dist'), { recursive: true });
  const use = Object.fromEntries(Object.entries(FILES).map(([name, file]) => [name, path.join(tempDir, 'dist', file)]));
  return { tempDir, use };
}

async function startDatabase(tempDir, use) {
  const { Client } = require('pg');
  const external = (process.env.DATABASE_URL ?? '').trim();
  if (!external) {
    const { startEmbeddedPostgres, ensureDatabase } = require(use.embedded);
    progress('starting a throwaway embedded PostgreSQL ...');
    const server = await startEmbeddedPostgres({
      dataDir: path.join(tempDir, 'postgres'),
      persistent: false,
      reuseRunning: false,
      log: (line) => progress(`  postgres: ${line}`),
    });
    cleanups.push(() => server.stop());
    return { url: await ensureDatabase(server.url, DATABASE), mode: 'embedded' };
  }
  const admin = new URL(external);
  admin.pathname = '/postgres';
  const run = async (sql) => {
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await run(`CREATE DATABASE ${DATABASE}`);
  cleanups.push(() => run(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`));
  const url = new URL(external);
  url.pathname = `/${DATABASE}`;
  progress(`using DATABASE_URL's server, fresh database ${DATABASE}`);
  return { url: url.toString(), mode: `DATABASE_URL (database ${DATABASE})` };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The environment every instance shares (same secrets: they decrypt each other's rows). */
function sharedEnv(pooledUrl, directUrl) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')));
  return {
    ...env,
    DATABASE_URL: pooledUrl,
    DATABASE_DIRECT_URL: directUrl,
    HOST,
    NODE_ENV: 'development',
    ENCRYPTION_KEYS: `bench-1:${randomBytes(32).toString('base64')}`,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    LOG_LEVEL: 'error',
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_READS_PER_MINUTE: '100000000',
    RATE_LIMIT_WRITES_PER_MINUTE: '100000000',
    RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '100000000',
  };
}

async function startService(use, env, name) {
  const tail = [];
  const keep = (chunk) => {
    for (const line of String(chunk).split(/\r?\n/)) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  const child = spawn(process.execPath, [use.main], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  syncCleanups.push(() => {
    if (!exited) child.kill('SIGKILL');
  });
  cleanups.push(async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exitPromise;
    clearTimeout(timer);
  });
  const base = `http://${HOST}:${env.PORT}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`${name} exited (${exited.code ?? exited.signal}) before it was ready:\n${tail.join('\n')}`);
    const status = await request(probeAgent, { method: 'GET', path: '/health/ready' }, base).then(
      (answer) => answer.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error(`${name} not ready within 90 s:\n${tail.join('\n')}`);
    await sleep(100);
  }
  return { name, base, pid: child.pid };
}

function bootstrapOrganization(use, env) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [use.cli, 'bootstrap', '--json', '--name', 'Bench instances'],
      { cwd: ROOT, env, maxBuffer: 1 << 20, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`cli bootstrap failed: ${error.message}\n${stderr}`));
        try {
          const result = JSON.parse(stdout.trim().split('\n').pop());
          const byName = (n) => result.environments.find((e) => e.name === n);
          resolve({ development: byName('Development'), production: byName('Production') });
        } catch (parseError) {
          reject(new Error(`cli bootstrap printed no JSON (${parseError.message}): ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP

const probeAgent = new http.Agent({ keepAlive: false });

/** One request: resolves with the status and, when asked, the parsed body. Rejects on network errors only. */
function request(agent, { method, path: urlPath, headers, body, keepBody }, base) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      `${base}${urlPath}`,
      {
        method,
        agent,
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => {
          if (keepBody) chunks.push(chunk);
        });
        res.on('end', () => {
          let parsed;
          if (keepBody) {
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              parsed = undefined;
            }
          }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    if (payload) req.write(payload);
    req.end();
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `count` requests from `make(i)`, CONCURRENCY at a time, request i on instance i % N. */
async function load(instances, agents, make, count, expect) {
  const latencies = new Float64Array(count);
  const statuses = {};
  const perInstance = instances.map((instance) => ({ name: instance.name, requests: 0, errors: 0, latencies: [] }));
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (!interrupted) {
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
  if (interrupted) throw new Error('interrupted');
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
    while (running && !interrupted) {
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
    while (running && !interrupted) {
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
  const { tempDir, use } = snapshotDist();
  const database = await startDatabase(tempDir, use);
  const { startPgBouncer } = require(path.join(ROOT, 'test/support/pgbouncer.js'));
  const pgbouncer = await startPgBouncer({ upstreamUrl: database.url, poolSize: POOL_SIZE });
  cleanups.push(() => pgbouncer.stop());
  const pooledUrl = pgbouncer.url(DATABASE);
  progress(`PgBouncer (transaction mode, pool ${POOL_SIZE}) on port ${pgbouncer.port}`);
  const env = sharedEnv(pooledUrl, database.url);

  const instances = [];
  const agents = [];
  const addInstance = async () => {
    const name = `instance-${instances.length + 1}`;
    const port = await freePort();
    progress(`starting ${name} on port ${port} ...`);
    instances.push(await startService(use, { ...env, PORT: String(port), DATA_DIR: path.join(tempDir, name) }, name));
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    cleanups.push(() => agent.destroy());
    agents.push(agent);
  };
  await addInstance(); // runs the migrations

  progress('bootstrapping an organization with the CLI (direct connection) ...');
  const org = await bootstrapOrganization(use, { ...env, DATABASE_URL: database.url, PORT: '0', DATA_DIR: path.join(tempDir, 'cli') });
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
  await cleanup();

  const broken = results.filter(
    (r) =>
      r.creates.errors ||
      r.selections.errors ||
      r.staleness.staleAfterFresh ||
      r.staleness.unbounded ||
      r.staleness.readerErrors ||
      r.staleness.writerErrors,
  );
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(
    RESULTS,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, database: database.mode, requests: REQUESTS, concurrency: CONCURRENCY, pgbouncerPoolSize: POOL_SIZE, staleBoundMs: STALE_BOUND_MS, results, pgbouncerPoolsAtEnd: pools }, null, 2)}\n`,
  );
  process.stdout.write(`\n${table(results)}\n`);
  progress(
    `figures in ${path.relative(ROOT, RESULTS)}; ${broken.length ? 'FAILED: errors or stale answers above' : 'no errors, no stale answer'}`,
  );
  return broken.length ? 1 : 0;
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

/** Run from bench/run.js (`--scenario instances`) or directly. */
function run() {
  return main().then(
    (code) => process.exit(code),
    async (error) => {
      if (!interrupted) process.stderr.write(`[bench instances] failed: ${error && error.stack ? error.stack : error}\n`);
      await cleanup();
      process.exit(1);
    },
  );
}

module.exports = { run };
if (require.main === module) run();
