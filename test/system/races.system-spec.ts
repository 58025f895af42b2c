import { Client } from 'pg';
import { ApiClient, ApiResponse } from '../support/api-client';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { activeEmailPayload, activeSmsPayload, sendgridPayload } from '../factories/integration-payloads';
import { report, ServiceProcess, sharedSecrets, tally } from './support/service-process';
import { DatabaseRoute, routeTo, startInstances, topologies, Topology } from './support/topology';

const ROUTE = '/v1/integrations';
const N = 50;

jest.setTimeout(180_000);

/**
 * Races resolved by PostgreSQL, with several service instances in separate processes behind a
 * round-robin "load balancer" (request i goes to instance i % N), 50 concurrent requests per case:
 * two instances directly connected, and three through one PgBouncer in transaction mode.
 */
describe.each(topologies())('races across service instances (separate processes, one database): $name', (topology: Topology) => {
  let database: TestDatabase;
  let route: DatabaseRoute;
  let db: Client;
  let services: ServiceProcess[] = [];
  let a: ServiceProcess;
  let clients: ApiClient[];
  let environmentId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    route = await routeTo(topology, database.directUrl);
    services = await startInstances(topology, route, { prefix: 'race', secrets: sharedSecrets() });
    a = services[0];
    const { apiKey } = a.bootstrap!;
    environmentId = a.bootstrap!.environmentId;
    clients = services.map((service) => ApiClient.apiKey(service.baseUrl, apiKey));
    // Direct (not through the test PgBouncer): this session holds session-level advisory locks.
    db = new Client({ connectionString: database.directUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await Promise.all(services.map((service) => service.kill()));
    await route?.close();
    await database?.drop();
  });

  /** Which instance answered request i of a burst (request i goes to instance i % N). */
  const servedBy = (i: number) => services[i % services.length].name;

  /** Outcomes per instance: `{ "race-a": { "201": 1, "409": 16 }, … }`. */
  function byInstance(outcomes: readonly string[]): Record<string, Record<string, number>> {
    const figures: Record<string, Record<string, number>> = {};
    for (const service of services) figures[service.name] = tally(outcomes.filter((_, i) => servedBy(i) === service.name));
    return figures;
  }

  /** Fires `count` requests at once, alternating between the instances. */
  function burst(count: number, send: (client: ApiClient, i: number) => Promise<ApiResponse>): Promise<ApiResponse[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => send(clients[i % clients.length], i)));
  }

  it('concurrent creates with one identifier: exactly one 201, the rest 409', async () => {
    const responses = await burst(N, (client) => client.post(ROUTE, sendgridPayload({ identifier: 'race-identifier' })));
    const statuses = tally(responses.map((r) => r.status));
    const { rows } = await db.query("SELECT count(*)::int AS n FROM integrations WHERE identifier = 'race-identifier' AND NOT deleted");
    report(`one identifier, concurrent creates (${topology.name})`, {
      requests: N,
      instances: services.length,
      statuses,
      byInstance: byInstance(responses.map((r) => String(r.status))),
      rowsWithIdentifier: rows[0].n,
    });
    expect(statuses).toEqual({ 201: 1, 409: N - 1 });
    for (const r of responses.filter((r) => r.status === 409)) expect(r.body.message).toBe('Integration with identifier already exists');
    expect(rows[0].n).toBe(1);
  });

  it('concurrent active email creates: one primary, priorities 1..N with the primary on top', async () => {
    const responses = await burst(N, (client, i) => client.post(ROUTE, activeEmailPayload({ name: `email-${i}` })));
    const statuses = tally(responses.map((r) => r.status));
    const { rows } = await db.query<{ priority: number; is_primary: boolean }>(
      "SELECT priority, is_primary FROM integrations WHERE environment_id = $1 AND channel = 'email' AND active AND NOT deleted ORDER BY priority",
      [environmentId],
    );
    const primaries = rows.filter((row) => row.is_primary);
    report(`active email creates, one environment (${topology.name})`, {
      requests: N,
      statuses,
      byInstance: byInstance(responses.map((r) => String(r.status))),
      activeEmailRows: rows.length,
      primaries: primaries.length,
      distinctPriorities: new Set(rows.map((row) => row.priority)).size,
      primaryPriority: primaries[0]?.priority,
    });
    expect(statuses).toEqual({ 201: N });
    expect(rows).toHaveLength(N);
    expect(primaries).toHaveLength(1);
    expect(rows.map((row) => row.priority)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(primaries[0].priority).toBe(N);
  });

  it('concurrent set-primary calls on different sms integrations: exactly one primary, on top', async () => {
    const created = await burst(N, (client, i) => client.post(ROUTE, activeSmsPayload({ name: `sms-${i}` })));
    expect(tally(created.map((r) => r.status))).toEqual({ 201: N });
    const ids: string[] = created.map((r) => r.body.data._id);

    const responses = await burst(N, (client, i) => client.post(`${ROUTE}/${ids[i]}/set-primary`));
    const statuses = tally(responses.map((r) => r.status));
    const { rows } = await db.query<{ id: string; priority: number; is_primary: boolean }>(
      "SELECT id, priority, is_primary FROM integrations WHERE environment_id = $1 AND channel = 'sms' AND active AND NOT deleted ORDER BY priority",
      [environmentId],
    );
    const primaries = rows.filter((row) => row.is_primary);
    const top = Math.max(...rows.map((row) => row.priority));
    report(`set-primary, concurrent, one channel (${topology.name})`, {
      requests: N,
      statuses,
      byInstance: byInstance(responses.map((r) => String(r.status))),
      activeSmsRows: rows.length,
      primaries: primaries.length,
      distinctPriorities: new Set(rows.map((row) => row.priority)).size,
      primaryPriority: primaries[0]?.priority,
      highestPriority: top,
    });
    expect(statuses).toEqual({ 200: N });
    expect(rows).toHaveLength(N);
    expect(primaries).toHaveLength(1);
    expect(primaries[0].priority).toBe(top);
    expect(new Set(rows.map((row) => row.priority)).size).toBe(N);
  });

  it('concurrent identical requests with one idempotency key: exactly one integration', async () => {
    const key = 'race-same-key';
    const body = sendgridPayload({ name: 'idempotent-race' });
    const responses = await burst(N, (client) => client.post(ROUTE, body, { 'idempotency-key': key }));
    const outcome = (r: ApiResponse) =>
      r.status === 201 && r.headers.get('idempotency-replay') === 'true' ? '201 replay' : String(r.status);
    const statuses = tally(responses.map(outcome));
    const { rows } = await db.query("SELECT id FROM integrations WHERE name = 'idempotent-race' AND NOT deleted");
    const { rows: records } = await db.query('SELECT count(*)::int AS n FROM idempotency_records WHERE idempotency_key = $1', [key]);
    report(`one idempotency key, identical concurrent requests (${topology.name})`, {
      requests: N,
      outcomes: statuses,
      byInstance: byInstance(responses.map(outcome)),
      integrations: rows.length,
      records: records[0].n,
    });

    expect(rows).toHaveLength(1);
    expect(records[0].n).toBe(1);
    expect(statuses['201']).toBe(1);
    expect((statuses['201 replay'] ?? 0) + (statuses['409'] ?? 0)).toBe(N - 1);
    for (const r of responses.filter((r) => r.status === 201)) expect(r.body.data._id).toBe(rows[0].id);
    for (const r of responses.filter((r) => r.status === 409)) {
      expect(r.body.message).toBe(`Request with key "${key}" is currently being processed. Please retry after 1 second`);
      expect(r.headers.get('retry-after')).toBe('1');
    }
    // Whoever got 409 retries and now gets the replay of the one integration.
    const retried = await burst(statuses['409'] ?? 0, (client) => client.post(ROUTE, body, { 'idempotency-key': key }));
    for (const r of retried) {
      expect(outcome(r)).toBe('201 replay');
      expect(r.body.data._id).toBe(rows[0].id);
    }
  });

  it('SIGTERM: stops accepting connections, finishes the in-flight request, exits 0', async () => {
    // Hold the channel lock so that one (active email) create stays in flight, deterministically.
    const lock = `integrations:channel:${environmentId}:email`;
    await db.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lock]);
    let inFlight: Promise<ApiResponse>;
    try {
      inFlight = clients[0].post(ROUTE, {
        providerId: 'sendgrid',
        name: 'in-flight',
        active: true,
        credentials: { apiKey: 'SG.in-flight', from: 'a@b.co', senderName: 'A' },
      });
      await waitUntil(async () => (await db.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rowCount! > 0);
      a.child.kill('SIGTERM');
      // New connections are refused once the listener is closed (it never reopens).
      await waitUntil(() =>
        fetch(`${a.baseUrl}/health/live`).then(
          () => false,
          () => true,
        ),
      );
    } finally {
      await db.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lock]);
    }
    const response = await inFlight!;
    const code = await a.exited;
    report(`graceful shutdown of ${a.name} (${topology.name})`, { inFlightStatus: response.status, exitCode: code });
    expect(response.status).toBe(201);
    expect(code).toBe(0);
    expect(a.output()).toContain('Shut down cleanly');
    const { rows } = await db.query("SELECT count(*)::int AS n FROM integrations WHERE name = 'in-flight'");
    expect(rows[0].n).toBe(1);
  });
});

/** Re-checks `condition` until it holds (each check waits for the previous one). */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 5_000; attempt++) {
    if (await condition()) return;
    await new Promise((done) => setTimeout(done, 5));
  }
  throw new Error('condition never held');
}
