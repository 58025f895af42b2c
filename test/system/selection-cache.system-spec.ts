import { Client } from 'pg';
import { ApiClient } from '../support/api-client';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { activeEmailPayload } from '../factories/integration-payloads';
import { report, ServiceProcess, sharedSecrets, startService } from './support/service-process';

const ROUTE = '/v1/integrations';
const SELECT = '/v1/integrations/select';

jest.setTimeout(180_000);

/**
 * The selection cache across instances (docs/contract.md §8): two service processes on one
 * database; B's cache is warm, A writes, and B's next selections must show the write. B is polled
 * with a bounded loop (each poll waits for the previous answer); nothing asserts a time.
 */
describe('selection cache invalidation across two service instances (separate processes, one database)', () => {
  let database: TestDatabase;
  let db: Client;
  let a: ServiceProcess;
  let b: ServiceProcess;
  let onA: ApiClient;
  let onB: ApiClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    const secrets = sharedSecrets();
    a = await startService({ name: 'select-a', databaseUrl: database.url, secrets, expectBootstrap: true });
    b = await startService({ name: 'select-b', databaseUrl: database.url, secrets });
    onA = ApiClient.apiKey(a.baseUrl, a.bootstrap!.apiKey);
    onB = ApiClient.apiKey(b.baseUrl, a.bootstrap!.apiKey);
    db = new Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await Promise.all([a, b].map((service) => service?.kill()));
    await database?.drop();
  });

  /** B's chosen email identifier, polled until `expected` (at most 500 polls); returns the polls it took. */
  async function untilBSelects(expected: string | undefined, body: Record<string, unknown> = { channel: 'email' }): Promise<number> {
    let seen: string | undefined;
    for (let poll = 1; poll <= 500; poll++) {
      const response = await onB.post(SELECT, body);
      expect(response.status).toBe(200);
      seen = response.body.data.integration?.identifier;
      if (seen === expected) return poll;
    }
    throw new Error(`instance B still selects ${seen}, expected ${expected}`);
  }

  async function listeners(): Promise<number[]> {
    const { rows } = await db.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN integrations_changed'",
    );
    return rows.map((row) => row.pid);
  }

  it('each instance listens on a dedicated connection', async () => {
    expect(await listeners()).toHaveLength(2);
  });

  it('a create, update, set-primary and delete on A are seen by B’s next selections', async () => {
    const first = await onA.post(ROUTE, activeEmailPayload({ identifier: 'first' }));
    expect(first.status).toBe(201);
    const polls: Record<string, number> = {};
    polls.create = await untilBSelects('first');
    // Warm: B now serves from its cache; A's writes must reach it.
    const second = await onA.post(ROUTE, activeEmailPayload({ identifier: 'second' }));
    expect(second.status).toBe(201);
    expect((await onA.post(`${ROUTE}/${second.body.data._id}/set-primary`)).status).toBe(200);
    polls.setPrimary = await untilBSelects('second');
    expect((await onA.put(`${ROUTE}/${second.body.data._id}`, { active: false })).status).toBe(200);
    polls.deactivate = await untilBSelects(undefined);
    expect((await onA.post(`${ROUTE}/${first.body.data._id}/set-primary`)).status).toBe(200);
    polls.setPrimaryBack = await untilBSelects('first');
    expect((await onA.delete(`${ROUTE}/${first.body.data._id}`)).status).toBe(200);
    polls.delete = await untilBSelects(undefined);
    report('selection cache across instances: polls of B until it served the write', polls);
  });

  it('a dropped listener connection is reconnected; nothing stale is served meanwhile nor after', async () => {
    const created = await onA.post(ROUTE, activeEmailPayload({ identifier: 'reconnect' }));
    expect(created.status).toBe(201);
    await untilBSelects('reconnect');
    const before = await listeners();
    // Terminate every listener (A's and B's), then write while they are down.
    await db.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    expect((await onA.put(`${ROUTE}/${created.body.data._id}`, { active: false })).status).toBe(200);
    await untilBSelects(undefined);
    let after: number[] = [];
    for (let poll = 0; poll < 500 && after.length < 2; poll++) {
      after = (await listeners()).filter((pid) => !before.includes(pid));
      if (after.length < 2) await new Promise((done) => setTimeout(done, 20)); // polling interval, not a synchronisation
    }
    expect(after).toHaveLength(2);
    // Listening again: a write is still seen.
    expect((await onA.put(`${ROUTE}/${created.body.data._id}`, { active: true })).status).toBe(200);
    await untilBSelects('reconnect');
  });
});
