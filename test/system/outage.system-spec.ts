import { Client } from 'pg';
import { sendgridPayload } from '../factories/integration-payloads';
import { Attempt, attempt, backOff, label } from './support/load';
import { DedicatedCluster, startDedicatedCluster } from './support/pg-cluster';
import { report, ServiceProcess, sharedSecrets, startService, tally, waitUntilReady } from './support/service-process';

jest.setTimeout(180_000);

const ROUTE = '/v1/integrations';
const CONCURRENCY = 8;
/** Answers wanted in each phase: before the outage, during it, after it. */
const PER_PHASE = 60;

/**
 * PostgreSQL stops under load (a dedicated cluster, not the shared test server): requests fail fast
 * with 503 in the standard error shape (no 500, no hang), /health/ready says 503 while
 * /health/live stays 200, and the service recovers by itself when PostgreSQL is back. Every 201 the
 * client saw is in the database.
 */
describe('database outage under load', () => {
  let cluster: DedicatedCluster;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    cluster = await startDedicatedCluster();
  });

  afterAll(async () => {
    await service?.kill();
    await cluster?.destroy();
  });

  it('answers 503 while PostgreSQL is down and recovers when it is back', async () => {
    const admin = new Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE integrations_outage_test');
    await admin.end();
    const databaseUrl = new URL(cluster.url);
    databaseUrl.pathname = '/integrations_outage_test';

    service = await startService({
      name: 'outage',
      databaseUrl: databaseUrl.toString(),
      secrets: sharedSecrets(),
      expectBootstrap: true,
      // Authenticate every request against the database (no API-key cache), so the outage shows on every route.
      env: { API_KEY_CACHE_TTL_MS: '0', DATABASE_CONNECT_TIMEOUT_MS: '1000' },
    });
    const { apiKey, environmentId } = service.bootstrap!;
    const baseUrl = service.baseUrl;

    type Phase = 'before' | 'down' | 'after';
    let phase: Phase = 'before';
    const seen: Record<Phase, Attempt[]> = { before: [], down: [], after: [] };
    const created = new Set<string>();
    let sequence = 0;
    let stopLoad = false;
    const phaseDone: Record<Phase, () => void> = { before: () => undefined, down: () => undefined, after: () => undefined };
    const phaseReached = (which: Phase) => new Promise<void>((done) => (phaseDone[which] = done));
    const reached = { before: phaseReached('before'), down: phaseReached('down'), after: phaseReached('after') };

    const load = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (!stopLoad) {
          const current = phase;
          const i = sequence++;
          const result = await attempt(
            `${baseUrl}${ROUTE}`,
            {
              method: 'POST',
              headers: { authorization: `ApiKey ${apiKey}`, 'idempotency-key': `outage-${i}` },
              body: sendgridPayload({ name: `outage-${i}` }),
            },
            20_000,
          );
          seen[current].push(result);
          if (result.status === 201) created.add(result.body.data._id);
          if (current === 'before' && seen.before.length >= PER_PHASE) phaseDone.before();
          if (current === 'down' && seen.down.filter((a) => a.status === 503).length >= PER_PHASE) phaseDone.down();
          if (current === 'after' && seen.after.filter((a) => a.status === 201).length >= PER_PHASE) phaseDone.after();
          if (result.status === 503) await backOff(10); // a client honouring Retry-After would wait longer
        }
      }),
    );

    await reached.before;
    phase = 'down';
    await cluster.stop();
    await reached.down;
    const liveDown = await attempt(`${baseUrl}/health/live`, { method: 'GET', headers: {} });
    const readyDown = await attempt(`${baseUrl}/health/ready`, { method: 'GET', headers: {} });

    await cluster.start();
    await waitUntilReady(baseUrl);
    const readyAfter = await attempt(`${baseUrl}/health/ready`, { method: 'GET', headers: {} });
    phase = 'after';
    await reached.after;
    stopLoad = true;
    await load;

    const check = new Client({ connectionString: databaseUrl.toString() });
    await check.connect();
    const { rows } = await check.query<{ id: string }>('SELECT id FROM integrations WHERE environment_id = $1 AND NOT deleted', [environmentId]);
    await check.end();
    const stored = new Set(rows.map((row) => row.id));
    const missing = [...created].filter((id) => !stored.has(id));

    const all = [...seen.before, ...seen.down, ...seen.after];
    report('PostgreSQL stopped and started under load (1 instance, dedicated cluster)', {
      concurrency: CONCURRENCY,
      requestsSent: all.length,
      before: tally(seen.before.map(label)),
      whileDown: tally(seen.down.map(label)),
      after: tally(seen.after.map(label)),
      healthWhileDown: { live: liveDown.status, ready: readyDown.status },
      readyAfterRestart: readyAfter.status,
      distinct201sSeen: created.size,
      integrationRows: rows.length,
      missing201s: missing.length,
    });

    const unexpected = all.filter((a) => a.status !== 201 && a.status !== 503);
    if (unexpected.length) report('unexpected answers: service log', { unhandled: service.output().split('\n').filter((line) => /Unhandled error|Error:/.test(line)).join('\n') });
    expect(unexpected).toEqual([]); // no 500, no hang (timeout)
    expect(seen.down.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(PER_PHASE);
    for (const failure of all.filter((a) => a.status === 503)) {
      expect(failure.body).toEqual({
        statusCode: 503,
        timestamp: expect.any(String),
        path: ROUTE,
        message: expect.any(String),
        error: 'Service Unavailable',
      });
    }
    expect(liveDown.status).toBe(200);
    expect(readyDown.status).toBe(503);
    expect(readyDown.body).toMatchObject({ statusCode: 503, path: '/health/ready', error: 'Service Unavailable' });
    expect(readyAfter.status).toBe(200);
    expect(missing).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(created.size);
  });
});
