import { Client } from 'pg';
import { ApiClient } from '../support/api-client';
import { directUrlOf } from '../support/database-guard';
import { startTestApp, TestApp } from '../support/test-app';
import { activeEmailPayload } from '../factories/integration-payloads';

jest.setTimeout(60_000);

const ROUTE = '/v1/integrations';
const STATEMENT_TIMEOUT_MS = 2_000;

/**
 * Review 13: connection faults in the middle of a pipelined transaction (the backend terminated,
 * the backend frozen so that the client-side query_timeout fires with statements pipelined behind
 * the one it times out). The request may fail (503), but never with a record without its
 * integration or the reverse, and the pool must serve later requests.
 */
describe('review 13: faults in a pipelined transaction', () => {
  let testApp: TestApp;
  let direct: Client;
  let unique = 0;
  const label = (name: string) => `${name}-${Date.now().toString(36)}-${++unique}`;

  beforeAll(async () => {
    testApp = await startTestApp({ database: { poolSize: 4, connectTimeoutMs: 2_000, statementTimeoutMs: STATEMENT_TIMEOUT_MS } });
    direct = new Client({ connectionString: directUrlOf(testApp.config.databaseUrl) ?? testApp.config.databaseUrl });
    await direct.connect();
  });

  afterAll(async () => {
    await direct?.end();
    await testApp?.close();
  });

  /** Holds the channel lock of an environment's email channel in a transaction of `direct`. */
  async function holdChannel(environmentId: string): Promise<void> {
    await direct.query('BEGIN');
    await direct.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`integrations:channel:${environmentId}:email`]);
  }

  /** The pid of the app's backend waiting for that lock. */
  async function waitingBackend(): Promise<number> {
    for (let attempt = 0; attempt < 2_000; attempt += 1) {
      // `direct` holds the lock in an open transaction, where pg_stat_activity is read once and
      // cached (stats_fetch_consistency): drop that snapshot, or a backend that starts waiting after
      // the first poll is never seen.
      await direct.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await direct.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND wait_event = 'advisory'`,
      );
      if (rows.length > 0) return rows[0].pid;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('no backend waits for the channel lock');
  }

  async function counts(identifier: string, key: string) {
    const [integrations] = await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations WHERE identifier = $1', [
      identifier,
    ]);
    const [records] = await testApp.dataSource.query('SELECT count(*)::int AS n FROM idempotency_records WHERE idempotency_key = $1', [
      key,
    ]);
    return { integrations: integrations.n as number, records: records.n as number };
  }

  async function healthy(apiKey: ApiClient): Promise<void> {
    const later = await Promise.all(
      Array.from({ length: 8 }, (_, i) => apiKey.post(ROUTE, activeEmailPayload({ identifier: label(`later-${i}`) }))),
    );
    expect(later.map((r) => r.status)).toEqual(later.map(() => 201));
  }

  it('a keyed create whose backend is terminated mid-transaction: no record, no integration, the retry creates, the pool recovers', async () => {
    const org = await testApp.bootstrap();
    const apiKey = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    const key = label('terminated');
    const identifier = label('terminated-identifier');
    await holdChannel(org.environments[0].id);
    const pending = apiKey.post(ROUTE, activeEmailPayload({ identifier }), { 'idempotency-key': key });
    try {
      const pid = await waitingBackend();
      await direct.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await direct.query('ROLLBACK');
    }
    const answer = await pending;
    expect(answer.status).toBe(503);
    expect(await counts(identifier, key)).toEqual({ integrations: 0, records: 0 });
    const retry = await apiKey.post(ROUTE, activeEmailPayload({ identifier }), { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(await counts(identifier, key)).toEqual({ integrations: 1, records: 1 });
    await healthy(apiKey);
  });

  it('a backend frozen mid-pipeline (query_timeout fires with statements behind): 503, nothing half-written, the pool recovers', async () => {
    const org = await testApp.bootstrap();
    const apiKey = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    const key = label('frozen');
    const identifier = label('frozen-identifier');
    await holdChannel(org.environments[0].id);
    const pending = apiKey.post(ROUTE, activeEmailPayload({ identifier }), { 'idempotency-key': key });
    let pid: number | undefined;
    try {
      pid = await waitingBackend();
      process.kill(pid, 'SIGSTOP');
      await direct.query('ROLLBACK'); // the lock is free, but the frozen backend cannot take it
      const answer = await pending;
      expect(answer.status).toBe(503);
    } finally {
      if (pid !== undefined) process.kill(pid, 'SIGCONT');
      await direct.query('ROLLBACK').catch(() => undefined);
    }
    // The frozen session ends once it runs again and finds its socket closed.
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const { rows } = await direct.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
      if (rows.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await counts(identifier, key)).toEqual({ integrations: 0, records: 0 });
    const retry = await apiKey.post(ROUTE, activeEmailPayload({ identifier }), { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    await healthy(apiKey);
  });

  it('more keyed writes of one channel than the pool has connections: each holds one connection only, all succeed (no pool starvation)', async () => {
    const org = await testApp.bootstrap();
    const apiKey = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    const seed = await apiKey.post(ROUTE, activeEmailPayload({ identifier: label('seed') }));
    expect(seed.status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        i % 4 === 3
          ? apiKey.post(`${ROUTE}/${seed.body.data._id as string}/set-primary`, undefined, { 'idempotency-key': label('sp') })
          : apiKey.post(ROUTE, activeEmailPayload({ identifier: label(`many-${i}`) }), { 'idempotency-key': label('many') }),
      ),
    );
    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
  });
});
