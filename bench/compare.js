'use strict';
/**
 * `npm run bench` (the default mode, see bench/README.md): the service against the floor
 * (bench/floor/server.js) on the same PostgreSQL with the same load generator, in alternating
 * rounds (floor, service, floor, service, …) per scenario; medians of the rounds, ratios to the
 * floor, the issue's targets, PostgreSQL round trips per request counted in both processes; then
 * CreateIntegration in-process (the library in this process, no HTTP) against HTTP create; with
 * `--scale`, the growth run (bench/growth.js). Figures go to stdout and bench/results/latest.json.
 */
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * Counts round trips of several processes at once. Whenever one of them is under load (`around`),
 * the others are idle: their statements in that time (and in the idle window) are their
 * background (LISTEN feeds, the idempotency purger, …), counted per millisecond and subtracted
 * from what they run under load.
 */
class RoundTripLedger {
  constructor() {
    this.sources = new Map();
  }

  add(name, read) {
    this.sources.set(name, { read, idleMs: 0, idle: empty() });
  }

  async readAll() {
    const counts = new Map();
    for (const [name, source] of this.sources) counts.set(name, await source.read());
    return counts;
  }

  /** Runs `fn` with `loaded` (a source name, or undefined: nobody) under load; the statements `loaded` ran meanwhile. */
  async around(loaded, fn) {
    const before = await this.readAll();
    const t0 = process.hrtime.bigint();
    const result = await fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const after = await this.readAll();
    let own;
    for (const [name, source] of this.sources) {
      const delta = difference(after.get(name), before.get(name));
      if (name === loaded) {
        own = delta;
      } else {
        source.idleMs += ms;
        source.idle = sum(source.idle, delta);
      }
    }
    return { result, statements: own, ms };
  }

  /** The background of `name`: its idle statements and for how long it was idle. */
  background(name) {
    const source = this.sources.get(name);
    return source ? { counts: source.idle, idleMs: source.idleMs } : { counts: empty(), idleMs: 0 };
  }
}

/** Counts are `{total, byKind, byStatement}`: the statements, by first word and by text. */
const BREAKDOWNS = ['byKind', 'byStatement'];
const empty = () => ({ total: 0, byKind: {}, byStatement: {} });

function difference(after, before) {
  const out = { total: after.total - before.total };
  for (const field of BREAKDOWNS) {
    out[field] = {};
    for (const [key, n] of Object.entries(after[field] ?? {})) {
      const d = n - ((before[field] ?? {})[key] ?? 0);
      if (d !== 0) out[field][key] = d;
    }
  }
  return out;
}

function sum(a, b) {
  const out = { total: a.total + b.total };
  for (const field of BREAKDOWNS) {
    out[field] = { ...a[field] };
    for (const [key, n] of Object.entries(b[field] ?? {})) out[field][key] = (out[field][key] ?? 0) + n;
  }
  return out;
}

/**
 * Statements per request under load, minus the background: the idle rate (per ms) times the time
 * under load. `breakdown`: per kind or per statement text, the entries of at least 0.005.
 */
function perRequest(loaded, background, loadedMs, requests, round) {
  const rate = (n) => (background.idleMs > 0 ? (n / background.idleMs) * loadedMs : 0);
  const out = { total: round((loaded.total - rate(background.counts.total)) / requests, 2) };
  for (const field of BREAKDOWNS) {
    out[field] = {};
    for (const [key, n] of Object.entries(loaded[field])) {
      const value = (n - rate(background.counts[field][key] ?? 0)) / requests;
      if (Math.abs(value) >= 0.005) out[field][key] = round(value, 2);
    }
  }
  return out;
}

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The issue's targets (issue #11), per scenario; `roundTripsOver` is relative to another scenario's count. */
const TARGETS = {
  'create-inactive': { reqPerSec: 0.6, p99: 2, roundTrips: 2 },
  'create-idempotent': { reqPerSec: 0.5, roundTripsOver: { scenario: 'create-inactive', at: 2 } },
  'create-active-email': { reqPerSec: 0.4, roundTrips: 4 },
  'list-api-key': { reqPerSec: 0.5 },
  'list-session': { reqPerSec: 0.4 },
  'create-in-process': { reqPerSecAtLeast: 1.5 },
};

/** One side of a scenario: where its load goes (`run(options, tag)` → a drive() result) and whose round trips it costs. */
function httpSide(h, name, source, base, make) {
  return { name, source, run: (options, tag) => h.driveHttp(base, (i) => make(i, tag), options) };
}

/**
 * Alternating rounds of `reference` and `subject` (warm-up of each first), their medians, the
 * ratios subject ÷ reference, round trips per request of each (background subtracted).
 */
async function measurePair(h, ledger, { name, description, expect, reference, subject }) {
  const runId = randomBytes(3).toString('hex');
  const sides = [reference, subject];
  const options = h.REQUESTS_GIVEN ? { count: h.REQUESTS } : { durationMs: h.DURATION_MS };
  for (const side of sides) {
    if (h.WARMUP_MS === 0) continue;
    h.progress(`${name}: warm-up of ${side.name}, ${h.WARMUP_MS} ms ...`);
    await ledger.around(side.source, () => side.run({ durationMs: h.WARMUP_MS }, `${runId}-w-${side.name}`));
  }
  const rounds = { [reference.name]: [], [subject.name]: [] };
  for (let r = 0; r < h.ROUNDS; r++) {
    for (const side of sides) {
      const { result, statements, ms } = await ledger.around(side.source, () => side.run(options, `${runId}-${r}-${side.name}`));
      const summary = h.summarize(`${name}/${side.name}`, description, result);
      const unexpected = Object.keys(summary.statusCounts).filter((status) => status !== expect);
      if (unexpected.length) h.progress(`  ! ${name} ${side.name}: expected only ${expect}, got ${JSON.stringify(summary.statusCounts)}`);
      rounds[side.name].push({ summary, statements, ms });
      h.progress(
        `  ${name} round ${r + 1}/${h.ROUNDS} ${side.name}: ${summary.reqPerSec} req/s, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms`,
      );
    }
  }
  const figures = {};
  for (const side of sides) {
    const list = rounds[side.name];
    const background = ledger.background(side.source);
    const requests = list.reduce((n, round) => n + round.summary.requests, 0);
    const loadedMs = list.reduce((n, round) => n + round.ms, 0);
    const raw = list.reduce((total, round) => sum(total, round.statements ?? empty()), empty());
    const statements = perRequest(raw, background, loadedMs, requests, h.round);
    const statuses = {};
    for (const round of list) for (const [s, n] of Object.entries(round.summary.statusCounts)) statuses[s] = (statuses[s] ?? 0) + n;
    figures[side.name] = {
      rounds: list.length,
      requests,
      reqPerSec: h.round(median(list.map((round) => round.summary.reqPerSec)), 1),
      p50: h.round(median(list.map((round) => round.summary.latencyMs.p50)), 2),
      p99: h.round(median(list.map((round) => round.summary.latencyMs.p99)), 2),
      reqPerSecRounds: list.map((round) => round.summary.reqPerSec),
      roundTripsPerRequest: statements.total,
      roundTripsByKind: statements.byKind,
      roundTripsByStatement: statements.byStatement,
      backgroundSubtracted: background.idleMs > 0 ? h.round((background.counts.total / background.idleMs) * loadedMs, 1) : 0,
      statusCounts: statuses,
      expectedOnly: Object.keys(statuses).every((s) => s === expect),
    };
  }
  const ref = figures[reference.name];
  const own = figures[subject.name];
  return {
    name,
    description,
    reference: reference.name,
    subject: subject.name,
    figures,
    ratio: { reqPerSec: h.round(own.reqPerSec / ref.reqPerSec, 3), p99: h.round(own.p99 / ref.p99, 2), p50: h.round(own.p50 / ref.p50, 2) },
  };
}

/** Each target of the scenario with its value and whether it is met. */
function verdicts(result, byName) {
  const target = TARGETS[result.name];
  if (!target) return [];
  const own = result.figures[result.subject];
  const out = [];
  if (target.reqPerSec !== undefined) {
    out.push({
      what: `req/s ≥ ${target.reqPerSec}× ${result.reference}`,
      value: result.ratio.reqPerSec,
      met: result.ratio.reqPerSec >= target.reqPerSec,
    });
  }
  if (target.reqPerSecAtLeast !== undefined) {
    out.push({
      what: `≥ ${target.reqPerSecAtLeast}× ${result.reference}`,
      value: result.ratio.reqPerSec,
      met: result.ratio.reqPerSec >= target.reqPerSecAtLeast,
    });
  }
  if (target.p99 !== undefined) {
    out.push({ what: `p99 ≤ ${target.p99}× ${result.reference}`, value: result.ratio.p99, met: result.ratio.p99 <= target.p99 });
  }
  if (target.roundTrips !== undefined) {
    out.push({
      what: `round trips ≤ ${target.roundTrips}`,
      value: own.roundTripsPerRequest,
      met: own.roundTripsPerRequest <= target.roundTrips + 0.05,
    });
  }
  if (target.roundTripsOver !== undefined) {
    const other = byName.get(target.roundTripsOver.scenario);
    if (other) {
      const added = Math.round((own.roundTripsPerRequest - other.figures[other.subject].roundTripsPerRequest) * 100) / 100;
      out.push({ what: `adds ≤ ${target.roundTripsOver.at} round trips`, value: added, met: added <= target.roundTripsOver.at + 0.05 });
    }
  }
  if (!own.expectedOnly) out.push({ what: 'only the expected status', value: JSON.stringify(own.statusCounts), met: false });
  return out;
}

module.exports = async function compareMain(h) {
  h.progress(
    `config: ${h.ROUNDS} rounds per side, ${h.REQUESTS_GIVEN ? `${h.REQUESTS} requests` : `${h.DURATION_MS} ms`} each, ` +
      `concurrency ${h.CONCURRENCY}, warm-up ${h.WARMUP_MS} ms, list of ${h.LIST_SIZE}; ${os.cpus().length} CPUs, node ${process.version}, ` +
      `load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
  );
  const tempDir = h.makeTempDir();
  h.snapshotDist(tempDir);
  h.progress(`running from a snapshot of dist/ in ${path.relative(h.ROOT, tempDir)}/dist`);
  h.progress('cipher micro-benchmark ...');
  const cipher = h.cipherBench();
  h.progress(`  encrypt+decrypt ${cipher.cipherOpsPerSec} ops/s, JSON round trip ${cipher.baselineOpsPerSec} ops/s`);

  const database = await h.startDatabase(tempDir);
  const env = h.serviceEnv(database.url, await h.freePort(), tempDir);
  h.progress(`starting the service on port ${env.PORT} (round trips counted) ...`);
  const service = await h.startService(env, { countRoundTrips: true });
  h.progress('bootstrapping two organizations with the CLI ...');
  const [orgA, orgB] = await Promise.all([h.bootstrapOrganization(env, 'Bench writes'), h.bootstrapOrganization(env, 'Bench reads')]);
  h.progress(`seeding ${h.LIST_SIZE} integrations (with credentials) in one environment for the list scenarios ...`);
  await h.seedList(service.base, orgB);
  h.progress('starting the floor (bench/floor/server.js) ...');
  const floor = await h.startFloor(env);
  h.progress(`floor answers at ${floor.base} (pid ${floor.pid})`);

  const ledger = new RoundTripLedger();
  ledger.add('service', service.roundTrips);
  ledger.add('floor', floor.roundTrips);
  if (h.IDLE_MS > 0) {
    h.progress(`idle window of ${h.IDLE_MS} ms: counting background statements ...`);
    await ledger.around(undefined, () => h.sleep(h.IDLE_MS));
  }

  const apiKey = (key) => ({ authorization: `ApiKey ${key}` });
  const create = (key, { active = false, idempotent = false } = {}) =>
    function make(i, tag) {
      return {
        method: 'POST',
        path: '/v1/integrations',
        headers: { ...apiKey(key), ...(idempotent ? { 'idempotency-key': `bench-${tag}-${i}` } : {}) },
        body: { providerId: 'sendgrid', name: 'Bench SendGrid', identifier: `bench-${tag}-${i}`, active, credentials: h.credentials() },
      };
    };
  const list = (authorization) => () => ({ method: 'GET', path: '/v1/integrations', headers: { authorization } });
  const floorCreate = httpSide(h, 'floor', 'floor', floor.base, create(orgA.development.apiKey));
  const floorListKey = httpSide(h, 'floor', 'floor', floor.base, list(`ApiKey ${orgB.development.apiKey}`));
  const floorListSession = httpSide(h, 'floor', 'floor', floor.base, list(`Bearer ${orgB.sessionToken}`));
  const scenarios = [
    {
      name: 'create-inactive',
      description: 'POST /v1/integrations, API key, inactive sendgrid with credentials, unique identifier',
      expect: '201',
      reference: floorCreate,
      subject: httpSide(h, 'service', 'service', service.base, create(orgA.development.apiKey)),
    },
    {
      name: 'create-idempotent',
      description: 'the same with a fresh idempotency-key header per request (the floor: its plain create)',
      expect: '201',
      reference: floorCreate,
      subject: httpSide(h, 'service', 'service', service.base, create(orgA.development.apiKey, { idempotent: true })),
    },
    {
      name: 'create-active-email',
      description: "POST /v1/integrations, API key, active sendgrid (channel lock + primary placement) in the org's other environment",
      expect: '201',
      reference: floorCreate,
      subject: httpSide(h, 'service', 'service', service.base, create(orgA.production.apiKey, { active: true })),
    },
    {
      name: 'list-api-key',
      description: `GET /v1/integrations, API key, ${h.LIST_SIZE} stored integrations (credentials: {} in the answer)`,
      expect: '200',
      reference: floorListKey,
      subject: httpSide(h, 'service', 'service', service.base, list(`ApiKey ${orgB.development.apiKey}`)),
    },
    {
      name: 'list-session',
      description: `GET /v1/integrations, session token, ${h.LIST_SIZE} stored integrations (every credential set decrypted)`,
      expect: '200',
      reference: floorListSession,
      subject: httpSide(h, 'service', 'service', service.base, list(`Bearer ${orgB.sessionToken}`)),
    },
  ];
  const wanted = (name) => h.ONLY.length === 0 || h.ONLY.includes(name);

  const baseline = [];
  const measureBaseline = async (name) => {
    h.progress(`${name}: the service's 401 (no database work), warm-up then ${h.DURATION_MS} ms ...`);
    const make = () => ({ method: 'GET', path: '/v1/integrations', headers: { authorization: 'Basic x' } });
    await h.driveHttp(service.base, make, { durationMs: Math.max(h.WARMUP_MS, 1000) });
    const { result } = await ledger.around('service', () => h.driveHttp(service.base, make, { durationMs: h.DURATION_MS }));
    baseline.push(h.summarize(name, 'GET /v1/integrations, Authorization: Basic x → 401 before any database work', result));
  };
  await measureBaseline('baseline');

  const results = [];
  for (const scenario of scenarios.filter((s) => wanted(s.name))) {
    results.push(await measurePair(h, ledger, scenario));
  }

  if (wanted('create-in-process')) {
    h.progress('in-process: the integrations library in a Nest application context in this process ...');
    const inProcess = await require('./in-process.js')(h, { databaseUrl: database.url, encryptionKeys: env.ENCRYPTION_KEYS });
    await h.sleep(1000); // the library's start-up statements (its change feed's LISTEN) are not the creates' background
    ledger.add('in-process', inProcess.roundTrips);
    const actor = { kind: 'api-key', organizationId: orgA.organizationId, environmentId: orgA.development.id };
    const subject = {
      name: 'in-process',
      source: 'in-process',
      run: (options, tag) =>
        h.drive(async (i) => {
          await inProcess.create({
            actor,
            providerId: 'sendgrid',
            name: 'Bench SendGrid',
            identifier: `bench-${tag}-${i}`,
            active: false,
            credentials: h.credentials(),
          });
          return '201';
        }, options),
    };
    results.push(
      await measurePair(h, ledger, {
        name: 'create-in-process',
        description: `CreateIntegration.execute in this process (the library's module, no HTTP), ${h.CONCURRENCY} calls in flight, vs HTTP create`,
        expect: '201',
        reference: httpSide(h, 'http', 'service', service.base, create(orgA.development.apiKey)),
        subject,
      }),
    );
    await inProcess.close();
  }
  await measureBaseline('baseline-end');

  let growth;
  if (h.SCALE) {
    growth = await require('./growth.js')(h, {
      databaseUrl: database.url,
      writerOrganizationId: orgA.organizationId,
      measure: (scenario) => measurePair(h, ledger, scenario),
      scenarios: scenarios.filter((s) => ['create-inactive', 'list-api-key', 'list-session'].includes(s.name)),
    });
  }

  const byName = new Map(results.map((r) => [r.name, r]));
  for (const r of results) r.targets = verdicts(r, byName);
  const report = {
    timestamp: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
      platform: `${os.platform()} ${os.release()}`,
      arch: os.arch(),
      node: process.version,
      loadAverageAtEnd: os.loadavg().map((n) => h.round(n, 2)),
    },
    config: {
      rounds: h.ROUNDS,
      durationMs: h.REQUESTS_GIVEN ? undefined : h.DURATION_MS,
      requestsPerRound: h.REQUESTS_GIVEN ? h.REQUESTS : undefined,
      concurrency: h.CONCURRENCY,
      warmupMs: h.WARMUP_MS,
      idleMs: h.IDLE_MS,
      listSize: h.LIST_SIZE,
      database: database.mode,
    },
    background: Object.fromEntries(
      [...ledger.sources.keys()].map((name) => {
        const { counts, idleMs } = ledger.background(name);
        return [name, { statements: counts.total, idleMs: Math.round(idleMs), byStatement: counts.byStatement }];
      }),
    ),
    baseline,
    scenarios: results,
    growth,
    cipher,
  };
  fs.mkdirSync(h.RESULTS_DIR, { recursive: true });
  const file = path.join(h.RESULTS_DIR, 'latest.json');
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  await h.cleanup();
  h.progress(`figures in ${path.relative(h.ROOT, file)}`);
  process.stdout.write(`\n${table(report, h.STATEMENTS)}\n`);
  return report;
};

// ---------------------------------------------------------------------------------------------
// Report

function pad(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c]).length)));
  const line = (row) =>
    row.map((cell, c) => (c <= 1 || c === row.length - 1 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])));
  return [line(rows[0]).join('  '), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map((row) => line(row).join('  '))];
}

const kinds = (byKind) =>
  Object.entries(byKind)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');

function table(report, statements) {
  const rows = [['scenario', 'side', 'req/s', 'p50 ms', 'p99 ms', 'round trips', 'req/s ratio', 'p99 ratio', 'targets']];
  for (const r of report.scenarios) {
    for (const side of [r.reference, r.subject]) {
      const f = r.figures[side];
      const own = side === r.subject;
      rows.push([
        own ? r.name : '',
        side,
        f.reqPerSec.toFixed(0),
        f.p50.toFixed(2),
        f.p99.toFixed(2),
        f.roundTripsPerRequest.toFixed(2),
        own ? `${r.ratio.reqPerSec.toFixed(2)}x` : '',
        own ? `${r.ratio.p99.toFixed(2)}x` : '',
        own ? r.targets.map((t) => `${t.met ? 'met' : 'MISSED'}: ${t.what} (${t.value})`).join('; ') : '',
      ]);
    }
  }
  const out = [
    `Service vs floor, one run (${report.config.rounds} alternating rounds per side of ${
      report.config.durationMs ? `${report.config.durationMs} ms` : `${report.config.requestsPerRound} requests`
    }, concurrency ${report.config.concurrency}; medians; ratio = service ÷ reference)`,
    '',
    ...pad(rows),
    '',
    'round trips per request, by statement (background subtracted):',
  ];
  for (const r of report.scenarios) {
    for (const side of [r.reference, r.subject]) {
      out.push(`  ${`${r.name}/${side}`.padEnd(32)} ${kinds(r.figures[side].roundTripsByKind)}`);
      if (!statements) continue;
      for (const [text, n] of Object.entries(r.figures[side].roundTripsByStatement)) out.push(`      ${n.toFixed(2).padStart(6)}  ${text}`);
    }
  }
  out.push(
    '',
    `background statements while idle: ${Object.entries(report.background)
      .map(([name, b]) => `${name} ${b.statements} in ${(b.idleMs / 1000).toFixed(1)} s`)
      .join(', ')}`,
  );
  for (const b of report.baseline)
    out.push(`${b.name}: the service's 401 without database work: ${b.reqPerSec.toFixed(0)} req/s, p50 ${b.latencyMs.p50} ms`);
  if (report.growth) out.push('', ...report.growth.lines);
  const c = report.cipher;
  out.push(
    '',
    `cipher: encrypt+decrypt ${c.cipherOpsPerSec.toLocaleString('en-US')} ops/s (${c.cipherUsPerOp} µs) vs JSON.stringify+parse ` +
      `${c.baselineOpsPerSec.toLocaleString('en-US')} ops/s (${c.baselineUsPerOp} µs)`,
    `machine: ${report.machine.cpus} CPUs, node ${report.machine.node}, load average at the end ${report.machine.loadAverageAtEnd.join(' ')}`,
  );
  return out.join('\n');
}
