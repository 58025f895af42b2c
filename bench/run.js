#!/usr/bin/env node
'use strict';
/**
 * Benchmarks of the integrations service (see bench/README.md). Runs after `npm run build`.
 *
 * This file holds the configuration, the shared helpers (the run's temp folder and dist/ snapshot,
 * PostgreSQL: DATABASE_URL → database `integrations_bench`, otherwise a throwaway embedded cluster;
 * the service and the floor as child processes, optionally with the round-trip counter; the CLI
 * bootstrap; the HTTP load generator; the cipher micro-benchmark) and the modes, one per
 * `--scenario` (MODES at the bottom): `throughput` (default, bench/compare.js: the service against
 * the floor), `hostile` (below), `selection` (bench/selection.js), `instances` (bench/instances.js).
 *
 * Plain CommonJS, Node ≥ 20, no dependencies beyond the project's own (pg, fastify, the compiled dist/).
 */
const { spawn, execFile } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
/** The compiled files the bench uses, relative to dist/. */
const FILES = {
  main: 'apps/api/apps/api/src/main.js',
  cli: 'apps/api/apps/api/src/cli.js',
  embedded: 'apps/api/apps/api/src/database/embedded-postgres.js',
  cipher: 'apps/api/libs/integrations/src/infrastructure/crypto/aes-gcm-credentials.cipher.js',
};
/** Absolute paths into the run's snapshot of dist/ (see snapshotDist). */
const use = {};
const RESULTS_DIR = path.join(__dirname, 'results');
const BENCH_DATABASE = 'integrations_bench';
const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// Configuration

function intEnv(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new Error(`${name} must be a whole number (got "${raw}")`);
  const value = Number(raw);
  if (value < min || value > max) throw new Error(`${name} must be between ${min} and ${max} (got ${value})`);
  return value;
}

/** Whether BENCH_REQUESTS was given: the floor comparison then measures a fixed count per round instead of a duration. */
const REQUESTS_GIVEN = (process.env.BENCH_REQUESTS ?? '').trim() !== '';
const REQUESTS = intEnv('BENCH_REQUESTS', 2000, 1, 10_000_000);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 20, 1, 10_000);
const WARMUP = intEnv('BENCH_WARMUP', Math.min(500, Math.max(50, Math.round(REQUESTS / 10))), 0, 10_000_000);
/** The floor comparison: each round lasts this long (unless BENCH_REQUESTS fixes a count). */
const DURATION_MS = intEnv('BENCH_DURATION_MS', 3000, 100, 3_600_000);
/** Rounds per side and scenario (floor, service, floor, service, …); the medians are reported. */
const ROUNDS = intEnv('BENCH_ROUNDS', 3, 1, 100);
/** Unmeasured load before the first round of each side of a scenario (0: none). */
const WARMUP_MS = intEnv('BENCH_WARMUP_MS', 1000, 0, 600_000);
/** An idle window before the scenarios: the background statements of each process are counted there (and during the other side's rounds). */
const IDLE_MS = intEnv('BENCH_IDLE_MS', 3000, 0, 600_000);
const LIST_SIZE = intEnv('BENCH_LIST_SIZE', 200, 1, 100_000);
const CIPHER_OPS = intEnv('BENCH_CIPHER_OPS', 20_000, 100, 100_000_000);
const CIPHER_ROUNDS = 5;
/** Extra node flags for the service process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it. */
const SERVICE_NODE_ARGS = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
/** `--name value` or `--name=value`; `true` for a bare `--name`; undefined when absent. */
function flag(argv, name) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[i + 1] : true;
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return undefined;
}
const ARGV = process.argv.slice(2);
/**
 * `--scenario <mode>` picks what a run does; each mode is one entry of MODES (bottom of this file):
 * `throughput` (the default: floor vs service), `hostile`, `selection`, `instances`.
 */
const SCENARIO = String(flag(ARGV, 'scenario') ?? 'throughput');
/** `--scale`: after the throughput scenarios, seed other organizations to each size of BENCH_SCALE_SIZES and measure again. */
const SCALE = flag(ARGV, 'scale') !== undefined;
/** `--statements`: print each scenario's statements per request by text (they are in latest.json anyway). */
const STATEMENTS = flag(ARGV, 'statements') !== undefined;
const SCALE_SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000,1000000').split(',').map((size) => {
  if (!/^\d+$/.test(size.trim())) throw new Error(`BENCH_SCALE_SIZES must be whole numbers separated by commas (got "${size}")`);
  return Number(size.trim());
});
/** Hostile requests per kind in the hostile scenario; each may stall the service for seconds on unfixed code. */
const HOSTILE_REQUESTS = intEnv('BENCH_HOSTILE_REQUESTS', 3, 1, 1000);
/** /health/live probes of the quiet phases (one at a time, BENCH_PROBE_GAP_MS apart). */
const HEALTH_PROBES = intEnv('BENCH_HEALTH_PROBES', 300, 10, 1_000_000);
const PROBE_GAP_MS = intEnv('BENCH_PROBE_GAP_MS', 10, 0, 10_000);
/** A hostile request that has not answered by then is aborted and counted as `timeout`. */
const HOSTILE_TIMEOUT_MS = intEnv('BENCH_HOSTILE_TIMEOUT_MS', 60_000, 1000, 600_000);
const ONLY = (process.env.BENCH_SCENARIOS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

// ---------------------------------------------------------------------------------------------
// Output

const started = Date.now();
function progress(message) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every resource registers an undo step; run once, last registered first.

const cleanups = [];
let cleaningUp;
function onCleanup(fn) {
  cleanups.push(fn);
}
function cleanup() {
  return (cleaningUp ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`[bench] cleanup step failed: ${error && error.message ? error.message : error}\n`);
      }
    }
  })());
}
/** Last resort on a hard exit: synchronous steps only (kill the child, remove the temp folder). */
const syncCleanups = [];
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
    progress(`${signal}: stopping the service and PostgreSQL ...`);
    cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// The run's temp folder (.data/bench-XXXXXX, removed at the end) and its snapshot of dist/

function makeTempDir() {
  const dataRoot = path.join(ROOT, '.data');
  fs.mkdirSync(dataRoot, { recursive: true, mode: 0o700 });
  const tempDir = fs.mkdtempSync(path.join(dataRoot, 'bench-'));
  const removeTemp = () => fs.rmSync(tempDir, { recursive: true, force: true });
  syncCleanups.push(removeTemp);
  onCleanup(removeTemp);
  return tempDir;
}

/**
 * Copies dist/ into the temp folder and runs everything from there, so that a rebuild during the
 * run (a watcher, another terminal) cannot pull files from under the service. The compiled code
 * uses relative requires; node_modules is still found by walking up to the repository.
 */
function snapshotDist(tempDir) {
  const missing = () => Object.values(FILES).filter((file) => !fs.existsSync(path.join(DIST, file)));
  for (let attempt = 1; ; attempt++) {
    if (missing().length === 0) {
      const target = path.join(tempDir, 'dist');
      fs.rmSync(target, { recursive: true, force: true });
      try {
        fs.cpSync(DIST, target, { recursive: true });
        if (Object.values(FILES).every((file) => fs.existsSync(path.join(target, file)))) {
          for (const [name, file] of Object.entries(FILES)) use[name] = path.join(target, file);
          return;
        }
      } catch {
        /* dist/ changed while copying: try again */
      }
    }
    if (attempt >= 10) {
      throw new Error(`dist/ is incomplete (missing ${missing().join(', ') || 'files while copying'}): run npm run build first`);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000); // a build may be running: wait a second
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

async function startDatabase(tempDir) {
  if (process.env.DATABASE_URL && process.env.DATABASE_URL.trim()) {
    return useExternalDatabase(process.env.DATABASE_URL.trim());
  }
  const { startEmbeddedPostgres, ensureDatabase } = require(use.embedded);
  progress(`starting a throwaway embedded PostgreSQL in ${path.relative(ROOT, tempDir)}/postgres ...`);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(tempDir, 'postgres'),
    persistent: false,
    reuseRunning: false,
    log: (line) => progress(`  postgres: ${line}`),
  });
  onCleanup(async () => {
    progress('stopping the embedded PostgreSQL ...');
    await server.stop();
  });
  const url = await ensureDatabase(server.url, BENCH_DATABASE);
  return { url, mode: 'embedded' };
}

async function useExternalDatabase(serverUrl) {
  const { Client } = require('pg');
  const admin = new URL(serverUrl);
  // Never drop the database we are connected to: administer from `postgres` then.
  if (decodeURIComponent(admin.pathname.replace(/^\//, '')) === BENCH_DATABASE) admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  const name = client.escapeIdentifier(BENCH_DATABASE);
  try {
    await dropDatabase(client, name);
    await client.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await client.end().catch(() => undefined);
    progress(`cannot (re)create database ${BENCH_DATABASE} (${error.message}); using DATABASE_URL as it is`);
    progress('  (its data stays there: every run adds organizations and integrations to it)');
    return { url: serverUrl, mode: 'DATABASE_URL (as is)' };
  }
  await client.end();
  const url = new URL(serverUrl);
  url.pathname = `/${BENCH_DATABASE}`;
  progress(`using DATABASE_URL's server, fresh database ${BENCH_DATABASE}`);
  onCleanup(async () => {
    const dropper = new Client({ connectionString: admin.toString() });
    await dropper.connect();
    try {
      await dropDatabase(dropper, name);
      progress(`dropped database ${BENCH_DATABASE}`);
    } finally {
      await dropper.end();
    }
  });
  return { url: url.toString(), mode: `DATABASE_URL (database ${BENCH_DATABASE})` };
}

async function dropDatabase(client, escapedName) {
  try {
    await client.query(`DROP DATABASE IF EXISTS ${escapedName} WITH (FORCE)`); // PostgreSQL ≥ 13
  } catch (error) {
    if (error.code !== '42601') throw error; // syntax error: an older server
    await client.query(`DROP DATABASE IF EXISTS ${escapedName}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The service

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

function serviceEnv(databaseUrl, port, tempDir) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('npm_')) delete env[name];
  }
  return {
    ...env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST,
    NODE_ENV: 'development',
    ENCRYPTION_KEYS: `bench-1:${randomBytes(32).toString('base64')}`,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    DATA_DIR: path.join(tempDir, 'service'),
    LOG_LEVEL: 'error',
    // The limiter runs (its cost is part of what is measured) but never refuses: the bench sends thousands per second.
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_READS_PER_MINUTE: '100000000',
    RATE_LIMIT_WRITES_PER_MINUTE: '100000000',
    RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '100000000',
  };
}

/** `--require` this into a process to count its PostgreSQL round trips (read with roundTripReader). */
const ROUND_TRIP_COUNTER = path.join(__dirname, 'support', 'count-round-trips.js');

/**
 * Reads the round-trip counter of a child spawned with an `ipc` slot and ROUND_TRIP_COUNTER
 * preloaded: resolves with `{total, byKind, byStatement}` (statements so far, by first word and by text).
 */
function roundTripReader(child, label) {
  let nextId = 0;
  const waiting = new Map();
  child.on('message', (message) => {
    const answer = message && message.roundTrips;
    if (!answer || !waiting.has(answer.id)) return;
    const done = waiting.get(answer.id);
    waiting.delete(answer.id);
    done({ total: answer.total, byKind: answer.byKind, byStatement: answer.byStatement });
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${label}: no round-trip count within 10 s`));
      }, 10_000);
      waiting.set(id, (counts) => {
        clearTimeout(timer);
        resolve(counts);
      });
      child.send({ roundTrips: 'read', id });
    });
}

/**
 * Spawns `node [nodeArgs] script` with `env`, keeps its last output lines, stops it at cleanup
 * (SIGTERM, SIGKILL after 15 s). `countRoundTrips`: preloads the counter (an `ipc` stdio slot).
 */
function spawnChild(script, env, { nodeArgs = [], countRoundTrips = false, label }) {
  const tail = [];
  const keep = (chunk) => {
    for (const line of String(chunk).split(/\r?\n/)) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  const args = [...(countRoundTrips ? ['--require', ROUND_TRIP_COUNTER] : []), ...nodeArgs, script];
  const stdio = ['ignore', 'pipe', 'pipe', ...(countRoundTrips ? ['ipc'] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: countRoundTrips ? { ...env, BENCH_ROUND_TRIPS_IPC: '1' } : env, stdio });
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  syncCleanups.push(() => {
    if (!exited) child.kill('SIGKILL');
  });
  onCleanup(async () => {
    if (exited) return;
    progress(`stopping ${label} ...`);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exitPromise;
    clearTimeout(timer);
  });
  return {
    child,
    tail,
    exited: () => exited,
    roundTrips: countRoundTrips ? roundTripReader(child, label) : undefined,
  };
}

/**
 * The floor (bench/floor/server.js) on its own port, same DATABASE_URL, ENCRYPTION_KEYS and
 * JWT_SECRET as the service; start it after the organizations exist (it loads the API keys once).
 */
async function startFloor(serviceEnvironment, { countRoundTrips = true } = {}) {
  const port = await freePort();
  const env = { ...serviceEnvironment, PORT: String(port) };
  const floor = spawnChild(path.join(__dirname, 'floor', 'server.js'), env, { countRoundTrips, label: 'the floor' });
  const deadline = Date.now() + 30_000;
  while (!floor.tail.some((line) => line.startsWith('floor listening on '))) {
    if (floor.exited()) throw new Error(`the floor exited (${floor.exited().code}) before listening:\n${floor.tail.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`the floor did not listen within 30 s:\n${floor.tail.join('\n')}`);
    await sleep(50);
  }
  return { base: `http://${HOST}:${port}`, pid: floor.child.pid, tail: floor.tail, roundTrips: floor.roundTrips };
}

async function startService(env, { countRoundTrips = false } = {}) {
  const service = spawnChild(use.main, env, { nodeArgs: SERVICE_NODE_ARGS, countRoundTrips, label: 'the service' });
  const { tail } = service;
  const exitedNow = service.exited;
  const base = `http://${HOST}:${env.PORT}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const exited = exitedNow();
    if (exited) {
      throw new Error(`the service exited (${exited.code ?? exited.signal}) before answering; its last output:\n${tail.join('\n')}`);
    }
    try {
      const answer = await request(probeAgent, { method: 'GET', path: '/v1/integrations', headers: { authorization: 'Basic x' } }, base);
      if (answer.status > 0) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the service did not answer within 90 s; its last output:\n${tail.join('\n')}`);
    await sleep(100);
  }
  return { base, pid: service.child.pid, tail, roundTrips: service.roundTrips };
}

function bootstrapOrganization(env, name) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [use.cli, 'bootstrap', '--json', '--name', name],
      { cwd: ROOT, env, maxBuffer: 1 << 20, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`cli bootstrap failed: ${error.message}\n${stderr}`));
        try {
          const result = JSON.parse(stdout.trim().split('\n').pop());
          const byName = (n) => result.environments.find((e) => e.name === n);
          resolve({
            organizationId: result.organizationId,
            development: byName('Development'),
            production: byName('Production'),
            sessionToken: result.sessionToken,
          });
        } catch (parseError) {
          reject(new Error(`cli bootstrap printed no JSON (${parseError.message}): ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP load

const probeAgent = new http.Agent({ keepAlive: false });
let loadAgent;

/** One request; resolves with the status and, when asked, the body. Never rejects on HTTP errors. */
/** `raw`: a body sent as it is (JSON that JSON.stringify cannot produce, e.g. 100,000 nested arrays). */
function request(agent, { method, path: urlPath, headers, body, raw, keepBody, timeoutMs }, base) {
  return new Promise((resolve, reject) => {
    const payload = raw !== undefined ? Buffer.from(raw) : body === undefined ? undefined : Buffer.from(JSON.stringify(body));
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
        let bytes = 0;
        res.on('data', (chunk) => {
          bytes += chunk.length;
          if (keepBody) chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode, bytes, body: keepBody ? Buffer.concat(chunks).toString('utf8') : undefined }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    if (payload) req.write(payload);
    req.end();
  });
}

/** `count` requests from `make(i)`, CONCURRENCY at a time; latencies in ms and status counts. */
async function load(base, make, count, offset = 0) {
  const latencies = new Float64Array(count);
  const statuses = {};
  let bytes = 0;
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (!interrupted) {
      const i = next++;
      if (i >= count) return;
      const spec = make(offset + i);
      const start = process.hrtime.bigint();
      let status;
      try {
        const answer = await request(loadAgent, spec, base);
        status = String(answer.status);
        bytes += answer.bytes;
      } catch (error) {
        status = `ERR ${error.code ?? error.message}`;
      }
      latencies[i] = Number(process.hrtime.bigint() - start) / 1e6;
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  if (interrupted) throw new Error('interrupted');
  const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { latencies, statuses, durationMs, bytes };
}

/**
 * Calls `one(i)` (a promise of a status string) CONCURRENCY at a time, for `durationMs` or, when
 * `count` is given, `count` times. No call starts after the deadline; those in flight then finish
 * and are counted. Same shape as load(): latencies in ms, status counts, wall time.
 */
async function drive(one, { durationMs, count, offset = 0 }) {
  const latencies = [];
  const statuses = {};
  let next = 0;
  const t0 = process.hrtime.bigint();
  const deadline = count === undefined ? t0 + BigInt(Math.round(durationMs * 1e6)) : undefined;
  const worker = async () => {
    while (!interrupted) {
      if (deadline !== undefined ? process.hrtime.bigint() >= deadline : next >= count) return;
      const i = next++;
      const start = process.hrtime.bigint();
      let status;
      try {
        status = await one(offset + i);
      } catch (error) {
        status = `ERR ${error.code ?? error.message}`;
      }
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: count === undefined ? CONCURRENCY : Math.min(CONCURRENCY, count) }, worker));
  if (interrupted) throw new Error('interrupted');
  return { latencies: Float64Array.from(latencies), statuses, durationMs: Number(process.hrtime.bigint() - t0) / 1e6, bytes: 0 };
}

/** drive() over HTTP: `make(i)` gives the request, sent on the keep-alive load agent to `base`. */
function driveHttp(base, make, options) {
  return drive(async (i) => String((await request(loadAgent, make(i), base)).status), options);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

function summarize(name, description, run) {
  const sorted = Float64Array.from(run.latencies).sort();
  const quarter = Math.max(1, Math.floor(run.latencies.length / 4));
  const median = (values) => percentile(Float64Array.from(values).sort(), 50);
  const firstQuarterP50 = median(run.latencies.subarray(0, quarter));
  const lastQuarterP50 = median(run.latencies.subarray(run.latencies.length - quarter));
  const mean = run.latencies.reduce((a, b) => a + b, 0) / run.latencies.length;
  return {
    name,
    description,
    requests: run.latencies.length,
    concurrency: CONCURRENCY,
    durationMs: round(run.durationMs, 1),
    reqPerSec: round((run.latencies.length / run.durationMs) * 1000, 1),
    latencyMs: {
      p50: round(percentile(sorted, 50), 2),
      p95: round(percentile(sorted, 95), 2),
      p99: round(percentile(sorted, 99), 2),
      mean: round(mean, 2),
      max: round(sorted[sorted.length - 1], 2),
    },
    /** p50 of the last quarter of requests ÷ p50 of the first quarter: > 1 when the route slows down as data grows. */
    drift: round(lastQuarterP50 / firstQuarterP50, 2),
    meanResponseBytes: Math.round(run.bytes / run.latencies.length),
    statusCounts: run.statuses,
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const credentials = () => ({
  apiKey: `SG.${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`,
  from: 'notifications@example.com',
  senderName: 'Acme Notifications',
});

async function seedList(base, org) {
  const runId = randomBytes(3).toString('hex');
  const run = await load(
    base,
    (i) => ({
      method: 'POST',
      path: '/v1/integrations',
      headers: { authorization: `ApiKey ${org.development.apiKey}` },
      body: { providerId: 'sendgrid', name: `Seed ${i}`, identifier: `seed-${runId}-${i}`, active: false, credentials: credentials() },
    }),
    LIST_SIZE,
    CIPHER_OPS,
  );
  if (run.statuses['201'] !== LIST_SIZE) throw new Error(`seeding answered ${JSON.stringify(run.statuses)}`);
  for (const [label, authorization] of [
    ['API key', `ApiKey ${org.development.apiKey}`],
    ['session', `Bearer ${org.sessionToken}`],
  ]) {
    const answer = await request(loadAgent, { method: 'GET', path: '/v1/integrations', headers: { authorization }, keepBody: true }, base);
    const listed = answer.status === 200 ? JSON.parse(answer.body).data : undefined;
    if (!Array.isArray(listed) || listed.length !== LIST_SIZE) {
      throw new Error(
        `the ${label} list answered ${answer.status} with ${Array.isArray(listed) ? listed.length : 'no'} integrations (expected ${LIST_SIZE})`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Cipher micro-benchmark

function cipherBench() {
  require('reflect-metadata');
  const { AesGcmCredentialsCipher } = require(use.cipher);
  const cipher = new AesGcmCredentialsCipher({ encryptionKeys: [{ id: 'bench-1', key: randomBytes(32).toString('base64') }] });
  const value = credentials();
  const aad = `integration:${randomUUID()}:credentials`;
  let sink = 0;
  const cases = {
    baseline: () => {
      const copy = JSON.parse(JSON.stringify(value));
      sink += copy.apiKey.length;
    },
    cipher: () => {
      const plain = cipher.decrypt(cipher.encrypt(value, aad), aad);
      sink += plain.apiKey.length;
    },
  };
  const timeOf = (fn, n) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  // Warm up both, then alternate rounds so that both see the same machine state; keep the median.
  for (const fn of Object.values(cases)) timeOf(fn, Math.min(CIPHER_OPS, 5_000));
  const rates = { baseline: [], cipher: [] };
  for (let round = 0; round < CIPHER_ROUNDS; round++) {
    for (const [name, fn] of Object.entries(cases)) rates[name].push(CIPHER_OPS / timeOf(fn, CIPHER_OPS));
  }
  if (sink === 0) throw new Error('unreachable');
  const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const baselineOps = median(rates.baseline);
  const cipherOps = median(rates.cipher);
  return {
    description: 'AesGcmCredentialsCipher encrypt+decrypt of a 3-field credential object vs JSON.stringify+JSON.parse of it',
    opsPerRound: CIPHER_OPS,
    rounds: CIPHER_ROUNDS,
    plaintextBytes: Buffer.byteLength(JSON.stringify(value)),
    baselineOpsPerSec: Math.round(baselineOps),
    cipherOpsPerSec: Math.round(cipherOps),
    baselineUsPerOp: round(1e6 / baselineOps, 2),
    cipherUsPerOp: round(1e6 / cipherOps, 2),
    slowdown: round(baselineOps / cipherOps, 2),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// ---------------------------------------------------------------------------------------------

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Hostile bodies (`--scenario hostile`): does one caller's body stall everybody else's requests?

/** Each kind: a request the service must refuse (or check) without blocking its event loop. */
function hostileKinds(org, stubUrl) {
  const headers = { authorization: `ApiKey ${org.development.apiKey}` };
  const post = (fields) => ({ method: 'POST', path: '/v1/integrations', headers, ...fields });
  return [
    {
      name: 'keys-60k',
      description: 'nodemailer, credentials.tlsOptions with 60,000 keys (about 650 KB, under the body limit)',
      make: () => {
        const tlsOptions = {};
        for (let i = 0; i < 60_000; i++) tlsOptions[`option${i}`] = 1;
        return post({
          body: {
            providerId: 'nodemailer',
            credentials: { host: 'smtp.example.com', port: '587', from: 'ops@example.com', senderName: 'Bench', tlsOptions },
          },
        });
      },
    },
    {
      name: 'slashes-80k',
      description: 'mailgun, check: true, credentials.baseUrl = the loopback stub + 80,000 slashes + "x"',
      make: () =>
        post({
          body: {
            providerId: 'mailgun',
            check: true,
            credentials: {
              apiKey: 'key-bench',
              user: 'api',
              domain: 'example.com',
              from: 'ops@example.com',
              senderName: 'Bench',
              baseUrl: `${stubUrl}/${'/'.repeat(80_000)}x`,
            },
          },
        }),
    },
    {
      name: 'nested-100k',
      description: 'sendgrid, credentials.tlsOptions = 100,000 nested arrays (raw JSON, 200 KB)',
      make: () =>
        post({
          raw: `{"providerId":"sendgrid","credentials":{"apiKey":"SG.x","tlsOptions":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
        }),
    },
    {
      name: 'surrogates',
      description: 'sendgrid, 50,000 lone surrogates (\\ud800) each in name and configurations.inboundWebhookSigningKey (600 KB)',
      make: () => {
        const lone = '\ud800'.repeat(50_000);
        return post({
          body: {
            providerId: 'sendgrid',
            name: lone,
            credentials: { apiKey: 'SG.x', from: 'ops@example.com', senderName: 'Bench' },
            configurations: { inboundWebhookSigningKey: lone },
          },
        });
      },
    },
    {
      name: 'string-1mb',
      description: 'sendgrid, credentials.apiKey of 1,000,000 characters (the whole body just under the 1 MiB limit)',
      make: () =>
        post({
          body: { providerId: 'sendgrid', credentials: { apiKey: 'x'.repeat(1_000_000), from: 'ops@example.com', senderName: 'Bench' } },
        }),
    },
  ];
}

/** A loopback HTTP server standing in for Mailgun: refuses every credential, echoes nothing. */
function startStub() {
  return new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
    });
    server.once('error', reject);
    server.listen(0, HOST, () => {
      onCleanup(() => new Promise((done) => server.close(() => done())));
      resolve(`http://${HOST}:${server.address().port}`);
    });
  });
}

/**
 * `GET /health/live` one at a time, PROBE_GAP_MS apart, until `count` probes are done or
 * `until()` says stop (then at least one more probe, so that a stall is always measured).
 */
async function probeHealth(base, agent, { count, until }) {
  const latencies = [];
  const statuses = {};
  while (!interrupted) {
    const start = process.hrtime.bigint();
    let status;
    try {
      status = String((await request(agent, { method: 'GET', path: '/health/live', timeoutMs: HOSTILE_TIMEOUT_MS }, base)).status);
    } catch (error) {
      status = `ERR ${error.code ?? error.message}`;
    }
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (count !== undefined && latencies.length >= count) break;
    if (until && until()) break;
    if (PROBE_GAP_MS > 0) await sleep(PROBE_GAP_MS);
  }
  if (interrupted) throw new Error('interrupted');
  return { latencies, statuses };
}

function latencyStats(values) {
  const sorted = Float64Array.from(values).sort();
  return { p50: round(percentile(sorted, 50), 2), p99: round(percentile(sorted, 99), 2), max: round(sorted[sorted.length - 1] ?? NaN, 2) };
}

async function hostileMain() {
  progress(
    `hostile scenario: ${HOSTILE_REQUESTS} requests per kind, one at a time, /health/live probed ${PROBE_GAP_MS} ms apart; ${os.cpus().length} CPUs, node ${process.version}`,
  );
  const tempDir = makeTempDir();
  snapshotDist(tempDir);
  const stubUrl = await startStub();
  const database = await startDatabase(tempDir);
  const port = await freePort();
  const env = {
    ...serviceEnv(database.url, port, tempDir),
    CREDENTIALS_CHECK_BASE_URLS: `mailgun=${stubUrl}`,
    OUTBOUND_URL_ALLOW: HOST,
  };
  progress(`starting the service on port ${port} (mailgun checks go to the stub at ${stubUrl}) ...`);
  const service = await startService(env);
  const org = await bootstrapOrganization(env, 'Bench hostile');
  const healthAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const hostileAgent = new http.Agent({ keepAlive: false });
  onCleanup(() => {
    healthAgent.destroy();
    hostileAgent.destroy();
  });

  // Warm up the probe path (JIT, keep-alive socket) before the reference is measured.
  await probeHealth(service.base, healthAgent, { count: Math.min(HEALTH_PROBES, 200) });
  const phases = [];
  const quiet = async (name) => {
    progress(`${name}: ${HEALTH_PROBES} /health/live probes on an idle service ...`);
    const run = await probeHealth(service.base, healthAgent, { count: HEALTH_PROBES });
    phases.push({
      name,
      description: 'no other traffic',
      hostile: undefined,
      health: { probes: run.latencies.length, statuses: run.statuses, latencyMs: latencyStats(run.latencies) },
    });
  };

  await quiet('quiet');
  for (const kind of hostileKinds(org, stubUrl)) {
    progress(`${kind.name}: ${kind.description} ...`);
    // Serialised once, here: the bench process must not stall its own probes while sending.
    const { body, ...spec } = kind.make();
    if (body !== undefined) spec.raw = JSON.stringify(body);
    const latencies = [];
    const statuses = {};
    let done = false;
    const sender = (async () => {
      try {
        for (let i = 0; i < HOSTILE_REQUESTS && !interrupted; i++) {
          const start = process.hrtime.bigint();
          let status;
          try {
            status = String((await request(hostileAgent, { ...spec, timeoutMs: HOSTILE_TIMEOUT_MS }, service.base)).status);
          } catch (error) {
            status = error.code === 'timeout' ? 'timeout' : `ERR ${error.code ?? error.message}`;
          }
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      } finally {
        done = true;
      }
    })();
    const health = await probeHealth(service.base, healthAgent, { until: () => done });
    await sender;
    phases.push({
      name: kind.name,
      description: kind.description,
      hostile: { requests: latencies.length, statuses, latencyMs: latencyStats(latencies) },
      health: { probes: health.latencies.length, statuses: health.statuses, latencyMs: latencyStats(health.latencies) },
    });
    const last = phases[phases.length - 1];
    progress(
      `  hostile ${JSON.stringify(statuses)} p50 ${last.hostile.latencyMs.p50} ms; /health/live p50 ${last.health.latencyMs.p50} ms, max ${last.health.latencyMs.max} ms`,
    );
  }
  await quiet('quiet-end');

  // The reference: the faster of the two quiet phases (as the throughput run does with its baselines).
  const reference = phases
    .filter((p) => p.hostile === undefined)
    .reduce((best, p) => (p.health.latencyMs.p99 < best.health.latencyMs.p99 ? p : best));
  for (const phase of phases) {
    const ref = reference.health.latencyMs;
    const own = phase.health.latencyMs;
    phase.health.vsQuiet = { p50: round(own.p50 / ref.p50, 1), p99: round(own.p99 / ref.p99, 1), max: round(own.max / ref.max, 1) };
  }

  const report = {
    timestamp: new Date().toISOString(),
    scenario: 'hostile',
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}` },
    config: {
      hostileRequestsPerKind: HOSTILE_REQUESTS,
      healthProbes: HEALTH_PROBES,
      probeGapMs: PROBE_GAP_MS,
      hostileTimeoutMs: HOSTILE_TIMEOUT_MS,
      database: database.mode,
    },
    reference: reference.name,
    phases,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest-hostile.json'), `${JSON.stringify(report, null, 2)}\n`);
  await cleanup();
  progress(
    `done in ${((Date.now() - started) / 1000).toFixed(1)} s; figures in ${path.relative(ROOT, path.join(RESULTS_DIR, 'latest-hostile.json'))}`,
  );
  process.stdout.write(`\n${hostileTable(phases, reference)}\n`);
}

function hostileTable(phases, reference) {
  const rows = [
    [
      'phase',
      'hostile',
      'hostile p50 ms',
      'hostile max ms',
      'probes',
      'live p50 ms',
      'live p99 ms',
      'live max ms',
      'p99 ×quiet',
      'max ×quiet',
      'hostile statuses',
    ],
  ];
  for (const p of phases) {
    rows.push([
      p.name,
      p.hostile ? String(p.hostile.requests) : '-',
      p.hostile ? p.hostile.latencyMs.p50.toFixed(1) : '-',
      p.hostile ? p.hostile.latencyMs.max.toFixed(1) : '-',
      String(p.health.probes),
      p.health.latencyMs.p50.toFixed(2),
      p.health.latencyMs.p99.toFixed(2),
      p.health.latencyMs.max.toFixed(2),
      `${p.health.vsQuiet.p99.toFixed(1)}x`,
      `${p.health.vsQuiet.max.toFixed(1)}x`,
      p.hostile
        ? Object.entries(p.hostile.statuses)
            .map(([status, n]) => `${status}:${n}`)
            .join(' ')
        : '',
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row) =>
    row.map((cell, c) => (c === 0 || c === row.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
    '',
    `ratios against ${reference.name} (the quieter of the two idle phases)`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Modes

/**
 * What every mode module gets: the configuration and the helpers above, as they are. A mode is a
 * module exporting `async (helpers) => figures`; it cleans up with `helpers.cleanup()` on success.
 */
function helpers() {
  loadAgent ??= new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  onCleanup(() => loadAgent.destroy());
  return {
    ROOT,
    RESULTS_DIR,
    use,
    REQUESTS,
    REQUESTS_GIVEN,
    CONCURRENCY,
    WARMUP,
    DURATION_MS,
    ROUNDS,
    WARMUP_MS,
    IDLE_MS,
    LIST_SIZE,
    CIPHER_OPS,
    ONLY,
    SCALE,
    SCALE_SIZES,
    STATEMENTS,
    progress,
    onCleanup,
    cleanup,
    makeTempDir,
    snapshotDist,
    startDatabase,
    freePort,
    serviceEnv,
    startService,
    startFloor,
    bootstrapOrganization,
    seedList,
    credentials,
    cipherBench,
    request,
    load,
    drive,
    driveHttp,
    summarize,
    percentile,
    round,
    sleep,
    intEnv,
    isInterrupted: () => interrupted,
    agent: () => loadAgent,
    newAgent: () => new http.Agent({ keepAlive: true, maxSockets: 1 }),
  };
}

/** `--scenario <name>` → the mode that runs. Add a mode here (and to bench/README.md). */
const MODES = {
  throughput: () => require('./compare.js')(helpers()),
  hostile: () => hostileMain(),
  selection: () => require('./selection.js')(helpers()),
  instances: () => require('./instances.js')(helpers()),
};

if (!Object.hasOwn(MODES, SCENARIO)) {
  process.stderr.write(`[bench] --scenario must be one of ${Object.keys(MODES).join(', ')} (got "${SCENARIO}")\n`);
  process.exit(2);
}

MODES[SCENARIO]().then(
  () => process.exit(0),
  async (error) => {
    if (!interrupted) process.stderr.write(`[bench] failed: ${error && error.stack ? error.stack : error}\n`);
    await cleanup();
    process.exit(1);
  },
);
