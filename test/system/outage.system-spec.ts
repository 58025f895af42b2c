import { Client } from 'pg';
import { sendgridPayload } from '../factories/integration-payloads';
import { Attempt, attempt, backOff, label, percentiles } from './support/load';
import { DedicatedCluster, startDedicatedCluster } from './support/pg-cluster';
import { report, ServiceProcess, sharedSecrets, tally, waitUntilReady } from './support/service-process';
import { DatabaseRoute, routeTo, startInstances, topologies, Topology } from './support/topology';

jest.setTimeout(180_000);

const ROUTE = '/v1/integrations';
const CONCURRENCY = 8;
/** Answers wanted in each phase: before the outage, during it, after it. */
const PER_PHASE = 60;

/**
 * PostgreSQL's own outage, once per topology: one instance directly connected, and three instances
 * through one PgBouncer. Behind PgBouncer the pooler stays up while PostgreSQL is stopped or
 * frozen: the instances' connections to PgBouncer stay open, PgBouncer's own to the server break
 * (stopped) or hang (frozen). PgBouncer retries a failed server login after `server_login_retry`
 * (default 15 s; 1 s here, as docs/deployment.md recommends) and fails the waiting clients fast
 * meanwhile; the instances' client-side timeouts bound every query PgBouncer forwards to a frozen
 * server. The guarantees are the same in both topologies.
 */
const PGBOUNCER_SETTINGS = { server_login_retry: 1 };

/**
 * PostgreSQL stops under load (a dedicated cluster, not the shared test server): requests fail fast
 * with 503 in the standard error shape (no 500, no hang), /health/ready says 503 while
 * /health/live stays 200, and the service recovers by itself when PostgreSQL is back. Every 201 the
 * client saw is in the database. The load goes round robin over the instances.
 */
describe.each(topologies(1))('database outage under load: $name', (topology: Topology) => {
  let cluster: DedicatedCluster;
  let route: DatabaseRoute | undefined;
  let services: ServiceProcess[] = [];

  beforeAll(async () => {
    cluster = await startDedicatedCluster();
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.kill()));
    await route?.close();
    await cluster?.destroy();
  });

  it('answers 503 while PostgreSQL is down and recovers when it is back', async () => {
    const admin = new Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE integrations_outage_test');
    await admin.end();
    const databaseUrl = new URL(cluster.url);
    databaseUrl.pathname = '/integrations_outage_test';

    route = await routeTo(topology, databaseUrl.toString(), PGBOUNCER_SETTINGS);
    services = await startInstances(topology, route, {
      prefix: 'outage',
      secrets: sharedSecrets(),
      // Authenticate every request against the database (no API-key cache), so the outage shows on every route.
      env: { API_KEY_CACHE_TTL_MS: '0', DATABASE_CONNECT_TIMEOUT_MS: '1000' },
    });
    const { apiKey, environmentId } = services[0].bootstrap!;
    let turn = 0;

    type Phase = 'before' | 'down' | 'after';
    let phase: Phase = 'before';
    const seen: Record<Phase, Attempt[]> = { before: [], down: [], after: [] };
    /** Each phase's outcomes by instance, and the answer times (ms). */
    const perInstance = new Map<string, Record<Phase, string[]> & { ms: Record<Phase, number[]> }>();
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
          const service = services[turn++ % services.length];
          const sent = Date.now();
          const result = await attempt(
            `${service.baseUrl}${ROUTE}`,
            {
              method: 'POST',
              headers: { authorization: `ApiKey ${apiKey}`, 'idempotency-key': `outage-${i}` },
              body: sendgridPayload({ name: `outage-${i}` }),
            },
            20_000,
          );
          seen[current].push(result);
          const mine = perInstance.get(service.name) ?? { before: [], down: [], after: [], ms: { before: [], down: [], after: [] } };
          perInstance.set(service.name, mine);
          mine[current].push(label(result));
          mine.ms[current].push(Date.now() - sent);
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
    const health = (path: string) =>
      Promise.all(services.map((service) => attempt(`${service.baseUrl}${path}`, { method: 'GET', headers: {} })));
    const livesDown = await health('/health/live');
    const readiesDown = await health('/health/ready');

    await cluster.start();
    for (const service of services) await waitUntilReady(service.baseUrl);
    const readiesAfter = await health('/health/ready');
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
    const warningsOf = (service: ServiceProcess) =>
      service
        .output()
        .split('\n')
        .filter((line) => line.includes('Database unavailable'));
    const databaseWarnings = services.flatMap(warningsOf);
    const answered503 = all.filter((a) => a.status === 503).length;
    report(`PostgreSQL stopped and started under load (${topology.name}, dedicated cluster)`, {
      concurrency: CONCURRENCY,
      requestsSent: all.length,
      before: tally(seen.before.map(label)),
      whileDown: tally(seen.down.map(label)),
      after: tally(seen.after.map(label)),
      byInstance: Object.fromEntries(
        services.map((service) => {
          const mine = perInstance.get(service.name);
          const phase = (which: Phase) => ({ ...tally(mine?.[which] ?? []), ...percentiles(mine?.ms[which] ?? []) });
          return [
            service.name,
            { before: phase('before'), whileDown: phase('down'), after: phase('after'), warningLines: warningsOf(service).length },
          ];
        }),
      ),
      healthWhileDown: { live: tally(livesDown.map(label)), ready: tally(readiesDown.map(label)) },
      readyAfterRestart: tally(readiesAfter.map(label)),
      distinct201sSeen: created.size,
      integrationRows: rows.length,
      missing201s: missing.length,
      databaseWarningLines: databaseWarnings.length,
      collapsed: databaseWarnings.filter((line) => / \(and \d+ more in the last 10 s\)/.test(line)).length,
    });

    const unexpected = all.filter((a) => a.status !== 201 && a.status !== 503);
    if (unexpected.length)
      report('unexpected answers: service log', {
        unhandled: services
          .map((service) => service.output())
          .join('\n')
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
    for (const [i, service] of services.entries()) {
      const [liveDown, readyDown, readyAfter] = [livesDown[i], readiesDown[i], readiesAfter[i]];
      expect({ instance: service.name, live: liveDown.status }).toEqual({ instance: service.name, live: 200 });
      expect({ instance: service.name, ready: readyDown.status }).toEqual({ instance: service.name, ready: 503 });
      expect(readyDown.body).toMatchObject({ statusCode: 503, path: '/health/ready', error: 'Service Unavailable' });
      expect({ instance: service.name, readyAfter: readyAfter.status }).toEqual({ instance: service.name, readyAfter: 200 });
    }
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
 * create whose transaction waits on a table lock — and a new request on every instance all answer
 * 503 in the error shape while PostgreSQL is still stopped: the client-side query timeout bounds
 * them, not the server. PostgreSQL is resumed only after every answer arrived (without the
 * client-side timeout the first one never comes, and the test fails by timeout); then every
 * instance recovers. Behind PgBouncer, PgBouncer itself answers (it is not frozen) and forwards the
 * queries to the frozen server, or waits for a server connection: either way no answer comes, and
 * the instances' own timeouts must end the wait, exactly as when directly connected.
 */
describe.each(topologies(1))('a frozen PostgreSQL: $name', (topology: Topology) => {
  let cluster: DedicatedCluster | undefined;
  let route: DatabaseRoute | undefined;
  let services: ServiceProcess[] = [];
  const clients: Client[] = [];

  afterAll(async () => {
    cluster?.thaw();
    for (const client of clients) await client.end().catch(() => undefined);
    await Promise.all(services.map((service) => service.kill()));
    await route?.close();
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
    route = await routeTo(topology, databaseUrl.toString(), PGBOUNCER_SETTINGS);
    services = await startInstances(topology, route, {
      prefix: 'freeze',
      secrets: sharedSecrets(),
      env: { API_KEY_CACHE_TTL_MS: '0', DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: String(statementTimeoutMs) },
    });
    const { apiKey } = services[0].bootstrap!;
    const urlOf = (service: ServiceProcess) => `${service.baseUrl}${ROUTE}`;
    const authorization = `ApiKey ${apiKey}`;
    for (const service of services) {
      expect((await attempt(urlOf(service), { method: 'GET', headers: { authorization } })).status).toBe(200); // the pool holds a connection
    }

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
    const timed = async (service: ServiceProcess, init: RequestInit): Promise<TimedAnswer> => {
      const started = Date.now();
      const response = await fetch(urlOf(service), init);
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

    // The keyed create's transaction (on the first instance) blocks on the integrations table, holding its pooled connection.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE integrations IN ACCESS EXCLUSIVE MODE');
    const inFlight = timed(services[0], {
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
    const fresh = services.map((service) => timed(service, { method: 'GET', headers: { authorization } }));
    const answers: Record<string, TimedAnswer> = { inFlight: await inFlight };
    for (const [i, answer] of (await Promise.all(fresh)).entries()) answers[`fresh on ${services[i].name}`] = answer;
    // Only now, with every answer in: resume PostgreSQL.
    cluster.thaw();
    frozen = false;

    await locker.query('ROLLBACK');
    const recovered: Record<string, number | 'network'> = {};
    for (const service of services) {
      await waitUntilReady(service.baseUrl);
      const answer = await attempt(urlOf(service), {
        method: 'POST',
        headers: { authorization, 'idempotency-key': `freeze-after-${service.name}` },
        body: sendgridPayload({ name: `after-the-freeze-${service.name}` }),
      });
      recovered[service.name] = answer.status;
    }

    report(`PostgreSQL frozen by SIGSTOP (${topology.name}, dedicated cluster)`, {
      processesStopped: stopped.length,
      statementTimeoutMs,
      inFlightCreate: `${answers.inFlight.status} after ${answers.inFlight.ms} ms on ${services[0].name}`,
      ...Object.fromEntries(
        Object.entries(answers)
          .filter(([which]) => which !== 'inFlight')
          .map(([which, answer]) => [`newList ${which.replace('fresh on ', 'on ')}`, `${answer.status} after ${answer.ms} ms`]),
      ),
      afterResume: recovered,
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
    expect(recovered).toEqual(Object.fromEntries(services.map((service) => [service.name, 201])));
  }, 90_000);
});
