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
    const { rows } = await check.query<{ id: string }>('SELECT id FROM integrations WHERE environment_id = $1 AND NOT deleted', [
      environmentId,
    ]);
    await check.end();
    const stored = new Set(rows.map((row) => row.id));
    const missing = [...created].filter((id) => !stored.has(id));

    const all = [...seen.before, ...seen.down, ...seen.after];
    // One warning per 10 s during the outage with a count, not one per failed request.
    const databaseWarnings = service
      .output()
      .split('\n')
      .filter((line) => line.includes('Database unavailable'));
    const answered503 = all.filter((a) => a.status === 503).length;
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
      databaseWarningLines: databaseWarnings.length,
      collapsed: databaseWarnings.filter((line) => / \(and \d+ more in the last 10 s\)/.test(line)).length,
    });

    const unexpected = all.filter((a) => a.status !== 201 && a.status !== 503);
    if (unexpected.length)
      report('unexpected answers: service log', {
        unhandled: service
          .output()
          .split('\n')
          .filter((line) => /Unhandled error|Error:/.test(line))
          .join('\n'),
      });
    expect(unexpected).toEqual([]); // no 500, no hang (timeout)
    expect(seen.down.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(PER_PHASE);
    for (const failure of all.filter((a) => a.status === 503)) {
      expect(failure.body).toEqual({
        statusCode: 503,
        timestamp: expect.any(String),
        path: ROUTE,
        message: expect.any(String),
        error: 'Service Unavailable',
        requestId: expect.any(String),
      });
    }
    expect(liveDown.status).toBe(200);
    expect(readyDown.status).toBe(503);
    expect(readyDown.body).toMatchObject({ statusCode: 503, path: '/health/ready', error: 'Service Unavailable' });
    expect(readyAfter.status).toBe(200);
    expect(missing).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(created.size);
    expect(databaseWarnings.length).toBeGreaterThan(0);
    expect(databaseWarnings.length).toBeLessThan(answered503 / 4);
  });
});

/** One answer of the frozen-server scenario, and whether PostgreSQL was still stopped when it came. */
interface TimedAnswer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: unknown;
  readonly whileFrozen: boolean;
  readonly afterFreeze: boolean;
  readonly ms: number;
}

/**
 * PostgreSQL frozen (SIGSTOP of the postmaster and every backend: sockets open, nothing answers, no
 * server-side statement_timeout ever fires). A request already holding a connection — a keyed
 * create whose transaction waits on a table lock — and a new request both answer 503 in the error
 * shape while PostgreSQL is still stopped: the client-side query timeout bounds them, not the
 * server. PostgreSQL is resumed only after both answers arrived (without the client-side timeout
 * the first one never comes, and the test fails by timeout); then the service recovers.
 */
describe('a frozen PostgreSQL', () => {
  let cluster: DedicatedCluster | undefined;
  let service: ServiceProcess | undefined;
  const clients: Client[] = [];

  afterAll(async () => {
    cluster?.thaw();
    for (const client of clients) await client.end().catch(() => undefined);
    await service?.kill();
    await cluster?.destroy();
  });

  it('answers requests in flight and new ones 503 before it is resumed, then recovers', async () => {
    cluster = await startDedicatedCluster();
    const bootstrapAdmin = new Client({ connectionString: cluster.url });
    await bootstrapAdmin.connect();
    await bootstrapAdmin.query('CREATE DATABASE integrations_freeze_test');
    await bootstrapAdmin.end();
    const databaseUrl = new URL(cluster.url);
    databaseUrl.pathname = '/integrations_freeze_test';

    const statementTimeoutMs = 3_000;
    service = await startService({
      name: 'freeze',
      databaseUrl: databaseUrl.toString(),
      secrets: sharedSecrets(),
      expectBootstrap: true,
      env: { API_KEY_CACHE_TTL_MS: '0', DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: String(statementTimeoutMs) },
    });
    const { apiKey } = service.bootstrap!;
    const url = `${service.baseUrl}${ROUTE}`;
    const authorization = `ApiKey ${apiKey}`;
    expect((await attempt(url, { method: 'GET', headers: { authorization } })).status).toBe(200); // the pool holds a connection

    const connectAdmin = async () => {
      const client = new Client({ connectionString: databaseUrl.toString() });
      await client.connect();
      clients.push(client);
      return client;
    };
    const locker = await connectAdmin();
    const watcher = await connectAdmin();

    let frozen = false;
    let freezeDone = false;
    const timed = async (init: RequestInit): Promise<TimedAnswer> => {
      const started = Date.now();
      const response = await fetch(url, init);
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body,
        whileFrozen: frozen,
        afterFreeze: freezeDone,
        ms: Date.now() - started,
      };
    };

    // The keyed create's transaction blocks on the integrations table, holding its pooled connection.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE integrations IN ACCESS EXCLUSIVE MODE');
    const inFlight = timed({
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', 'idempotency-key': 'freeze-in-flight' },
      body: JSON.stringify(sendgridPayload({ name: 'frozen-in-flight' })),
    });
    for (;;) {
      const { rows } = await watcher.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
      );
      if (rows[0].n > 0) break;
      await backOff(10); // polling for the lock wait, not a synchronisation by time
    }

    const stopped = cluster.freeze();
    frozen = true;
    freezeDone = true;
    const fresh = timed({ method: 'GET', headers: { authorization } });
    const answers = { inFlight: await inFlight, fresh: await fresh };
    // Only now, with both answers in: resume PostgreSQL.
    cluster.thaw();
    frozen = false;

    await locker.query('ROLLBACK');
    await waitUntilReady(service.baseUrl);
    const recovered = await attempt(url, {
      method: 'POST',
      headers: { authorization, 'idempotency-key': 'freeze-after' },
      body: sendgridPayload({ name: 'after-the-freeze' }),
    });

    report('PostgreSQL frozen by SIGSTOP (1 instance, dedicated cluster)', {
      processesStopped: stopped.length,
      statementTimeoutMs,
      inFlightCreate: `${answers.inFlight.status} after ${answers.inFlight.ms} ms`,
      newList: `${answers.fresh.status} after ${answers.fresh.ms} ms`,
      afterResume: recovered.status,
    });

    for (const [which, answer] of Object.entries(answers)) {
      expect({ which, whileFrozen: answer.whileFrozen, afterFreeze: answer.afterFreeze }).toEqual({
        which,
        whileFrozen: true,
        afterFreeze: true,
      });
      expect({ which, status: answer.status, retryAfter: answer.retryAfter }).toEqual({ which, status: 503, retryAfter: '1' });
      expect(answer.body).toEqual({
        statusCode: 503,
        timestamp: expect.any(String),
        path: ROUTE,
        message: expect.any(String),
        error: 'Service Unavailable',
        requestId: expect.any(String),
      });
    }
    expect(stopped.length).toBeGreaterThan(1); // the postmaster and its backends
    expect(recovered.status).toBe(201);
  }, 90_000);
});
