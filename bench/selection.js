'use strict';
/**
 * `npm run bench -- --scenario selection` (see bench/README.md, "Selection"). Figures, not tests:
 * every ratio is against a figure of the same run.
 *
 * 1. Two service processes A and B on one PostgreSQL (same secrets), one organization, three
 *    active email integrations (one of them conditional on the tenant's plan).
 * 2. HTTP: POST /v1/integrations/select on B (warm cache), BENCH_REQUESTS at BENCH_CONCURRENCY.
 * 3. In-process: the compiled AppModule as an application context in this process (as a worker
 *    host would run it), `SelectIntegration.execute` in a loop on one core: warm selections/s.
 * 4. Cold selection: the channel's cache entry dropped before each selection; statements counted
 *    by wrapping pg's `Client.prototype.query` (every statement of the pool is one round trip).
 * 5. Invalidation delay: BENCH_SELECTION_WRITES (200) renames on A; after each, B is polled (one
 *    request at a time) until it serves the new name; the delay is from A's answer to B's first
 *    answer with it.
 */
const path = require('node:path');

const WARM_OPS = Number(process.env.BENCH_SELECTION_OPS ?? 200_000);
const WRITES = Number(process.env.BENCH_SELECTION_WRITES ?? 200);
const COLD = 200;

module.exports = async function selectionMain(h) {
  const tempDir = h.makeTempDir();
  h.snapshotDist(tempDir);
  const dist = path.dirname(path.dirname(path.dirname(path.dirname(h.use.main)))); // …/dist/apps/api
  const database = await h.startDatabase(tempDir);
  const envA = h.serviceEnv(database.url, await h.freePort(), tempDir);
  const envB = { ...envA, PORT: String(await h.freePort()), DATA_DIR: path.join(tempDir, 'service-b') };
  h.progress('starting instances A and B ...');
  const a = await h.startService(envA);
  const b = await h.startService(envB);
  const org = await h.bootstrapOrganization(envA, 'Bench selection');
  const key = { authorization: `ApiKey ${org.development.apiKey}`, 'content-type': 'application/json' };
  const agent = h.newAgent();

  const credentials = { apiKey: 'SG.bench-secret', from: 'bench@example.com', senderName: 'Bench' };
  const created = [];
  for (const [identifier, extra] of [
    ['bench-primary', {}],
    ['bench-second', {}],
    [
      'bench-pro',
      {
        conditions: [{ isNegated: false, value: 'AND', children: [{ field: 'data.plan', value: 'pro', operator: 'EQUAL', on: 'tenant' }] }],
      },
    ],
  ]) {
    const answer = await h.request(
      agent,
      {
        method: 'POST',
        path: '/v1/integrations',
        headers: key,
        body: { providerId: 'sendgrid', identifier, active: true, credentials, ...extra },
        keepBody: true,
      },
      a.base,
    );
    if (answer.status !== 201) throw new Error(`seeding failed: ${answer.status} ${answer.body}`);
    created.push(JSON.parse(answer.body).data);
  }
  const body = { channel: 'email', tenant: { identifier: 'acme', data: { plan: 'free' } } };
  const select = () => ({ method: 'POST', path: '/v1/integrations/select', headers: key, body });

  // 2. HTTP, warm.
  h.progress(`HTTP: warm-up, then ${h.REQUESTS} selections at concurrency ${h.CONCURRENCY} on B ...`);
  await h.load(b.base, select, Math.max(500, h.WARMUP), 1_000_000_000);
  const http = h.summarize('select-http', 'POST /v1/integrations/select on B, warm cache', await h.load(b.base, select, h.REQUESTS));

  // 3. In-process, warm.
  h.progress('in-process: the AppModule as an application context in this process ...');
  const pg = require('pg');
  let statements = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function counted(...args) {
    statements += 1;
    return query.apply(this, args);
  };
  const { NestFactory } = require('@nestjs/core');
  const { AppModule } = require(path.join(dist, 'apps/api/src/app.module.js'));
  const { loadConfig } = require(path.join(dist, 'apps/api/src/config/load-config.js'));
  const { SelectIntegration } = require(path.join(dist, 'libs/integrations/src/index.js'));
  const { SelectionCache } = require(path.join(dist, 'libs/integrations/src/application/selection-cache/selection-cache.js'));
  const config = loadConfig({ ...envA, DATA_DIR: path.join(tempDir, 'in-process') }, { log: () => undefined });
  const context = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, databaseUrl: database.url }), {
    logger: false,
  });
  h.onCleanup(() => context.close());
  const useCase = context.get(SelectIntegration, { strict: false });
  const cache = context.get(SelectionCache, { strict: false });
  for (let i = 0; i < 500 && !cache.serving; i++) await h.sleep(10); // the change feed connects
  const command = { organizationId: org.organizationId, environmentId: org.development.id, channel: 'email', tenant: body.tenant };
  const check = await useCase.execute(command);
  if (check.integration?.identifier !== 'bench-primary' || check.fallbacks.length !== 1) {
    throw new Error(`unexpected in-process selection: ${JSON.stringify(check.candidates)}`);
  }
  for (let i = 0; i < 20_000; i++) await useCase.execute(command); // JIT warm-up
  const warmRounds = [];
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < WARM_OPS; i++) await useCase.execute(command);
    warmRounds.push(WARM_OPS / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  const warmPerSec = warmRounds.sort((x, y) => x - y)[1];

  // 4. Cold.
  const before = statements;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < COLD; i++) {
    cache.changed(command.environmentId, 'email');
    await useCase.execute(command);
  }
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6 / COLD;
  const roundTripsPerCold = (statements - before) / COLD;
  pg.Client.prototype.query = query;

  // 5. Invalidation delay A → B.
  h.progress(`invalidation: ${WRITES} writes on A, polling B after each ...`);
  const delays = [];
  const polls = [];
  const target = created[0];
  for (let i = 0; i < WRITES; i++) {
    const name = `Bench ${i}`;
    const write = await h.request(agent, { method: 'PUT', path: `/v1/integrations/${target._id}`, headers: key, body: { name } }, a.base);
    if (write.status !== 200) throw new Error(`write ${i} failed: ${write.status}`);
    const written = process.hrtime.bigint();
    for (let poll = 1; ; poll++) {
      const answer = await h.request(agent, { ...select(), keepBody: true }, b.base);
      if (JSON.parse(answer.body).data.integration?.name === name) {
        delays.push(Number(process.hrtime.bigint() - written) / 1e6);
        polls.push(poll);
        break;
      }
      if (poll >= 10_000) throw new Error(`B never served write ${i}`);
    }
  }
  delays.sort((x, y) => x - y);
  const pct = (p) => h.round(h.percentile(delays, p), 2);

  const figures = {
    httpSelectionsPerSec: http.reqPerSec,
    httpLatencyMs: http.latencyMs,
    inProcessWarmSelectionsPerSec: Math.round(warmPerSec),
    inProcessRoundsPerSec: warmRounds.map(Math.round),
    inProcessVsHttp: h.round(warmPerSec / http.reqPerSec, 1),
    coldSelection: { roundTrips: roundTripsPerCold, meanMs: h.round(coldMs, 3) },
    invalidationDelayMs: { writes: WRITES, p50: pct(50), p90: pct(90), p99: pct(99), max: h.round(delays[delays.length - 1], 2) },
    pollsOfB: { one: polls.filter((p) => p === 1).length, more: polls.filter((p) => p > 1).length, max: Math.max(...polls) },
  };
  await h.cleanup();
  process.stdout.write(
    [
      '',
      'Selection (one run; ratios against figures of the same run)',
      `  HTTP, warm (B)            ${figures.httpSelectionsPerSec} selections/s, p50 ${http.latencyMs.p50} ms, p99 ${http.latencyMs.p99} ms (concurrency ${h.CONCURRENCY})`,
      `  in-process, warm          ${figures.inProcessWarmSelectionsPerSec} selections/s on one core (median of 3 rounds of ${WARM_OPS})`,
      `  in-process / HTTP         ${figures.inProcessVsHttp}×`,
      `  cold selection            ${roundTripsPerCold} database round trips (counted over ${COLD}), ${figures.coldSelection.meanMs} ms each`,
      `  write on A → B serves it  p50 ${pct(50)} ms, p90 ${pct(90)} ms, p99 ${pct(99)} ms, max ${figures.invalidationDelayMs.max} ms over ${WRITES} writes`,
      `                            B's first poll already fresh: ${figures.pollsOfB.one}/${WRITES} (max polls ${figures.pollsOfB.max})`,
      '',
    ].join('\n'),
  );
  return figures;
};
