import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/api/src/database/data-source-options';
import { QueryTimeoutClient } from '../../apps/api/src/database/query-timeout-client';
import { activeEmailPayload } from '../factories/integration-payloads';
import { ApiClient } from '../support/api-client';
import { databaseName } from '../support/database-guard';
import { PgBouncer, pgBouncerMissing, startPgBouncer } from '../support/pgbouncer';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

jest.setTimeout(90_000);

const ROUTE = '/v1/integrations';
const SELECT = '/v1/integrations/select';
const STATEMENT_TIMEOUT_MS = 400;
/** Server connections per database in this file's PgBouncer: few, so that clients share them. */
const BOUNCER_POOL = 4;
const LISTENERS = ['integrations-service change feed', 'integrations-service revocation listener'];

/** The SQLSTATE of an error from pg or from TypeORM (QueryFailedError wraps pg's as driverError). */
function sqlState(error: unknown): string | undefined {
  const { code, driverError } = error as { code?: string; driverError?: { code?: string } };
  return driverError?.code ?? code;
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  );
}

/**
 * The service behind a real PgBouncer in transaction mode (README "Behind PgBouncer"), whatever
 * TEST_PGBOUNCER says: this file starts its own in front of the test server. Each rule of the pooler
 * is shown to hold, by a check that fails when it is broken (the old startup parameter, a session
 * SET, LISTEN through the pooler, named prepared statements).
 */
const missing = pgBouncerMissing();
if (missing !== undefined) process.stderr.write(`[pgbouncer e2e] SKIPPED: ${missing}\n`);

(missing === undefined ? describe : describe.skip)('behind PgBouncer (pool_mode = transaction)', () => {
  let database: TestDatabase;
  let bouncer: PgBouncer;
  let pooledUrl: string;
  /** A direct session on the test database: locks, pg_stat_activity. */
  let direct: Client;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    bouncer = await startPgBouncer({ upstreamUrl: database.directUrl, poolSize: BOUNCER_POOL });
    pooledUrl = bouncer.url(databaseName(database.directUrl));
    direct = new Client({ connectionString: database.directUrl });
    await direct.connect();
  });

  afterAll(async () => {
    for (const app of apps.splice(0)) await app.close().catch(() => undefined);
    await direct?.end().catch(() => undefined);
    await bouncer?.stop();
    await database?.drop();
  });

  /** A service instance whose pool goes through PgBouncer; LISTEN direct unless `listenDirect` is false. */
  async function startInstance(listenDirect = true, overrides: Partial<TestApp['config']> = {}): Promise<TestApp> {
    const app = await startTestApp({
      ...overrides,
      databaseUrl: pooledUrl,
      ...(listenDirect ? { databaseDirectUrl: database.directUrl } : {}),
      database: { poolSize: BOUNCER_POOL, connectTimeoutMs: 2_000, statementTimeoutMs: STATEMENT_TIMEOUT_MS },
      // No safety-net expiry within the test: only a change notice can refresh a cached selection.
      selectionCacheTtlMs: 86_400_000,
    });
    apps.push(app);
    return app;
  }

  /** A command on PgBouncer's admin console (SHOW CLIENTS, RECONNECT, …). */
  async function adminConsole(command: string): Promise<Record<string, unknown>[]> {
    const admin = new Client({ connectionString: bouncer.adminUrl() });
    await admin.connect();
    try {
      return (await admin.query(command)).rows as Record<string, unknown>[];
    } finally {
      await admin.end();
    }
  }

  /** Client connections to PgBouncer opened by the LISTEN feeds (by their application_name). */
  async function listenersBehindBouncer(): Promise<string[]> {
    const clients = await adminConsole('SHOW CLIENTS');
    return clients.map((client) => String(client.application_name ?? '')).filter((name) => LISTENERS.includes(name));
  }

  it('refuses a statement_timeout startup parameter (the old configuration) and accepts the service’s pool settings', async () => {
    const old = new Client({ connectionString: pooledUrl, statement_timeout: 5_000 });
    old.on('error', () => undefined);
    await expect(old.connect()).rejects.toThrow(/unsupported startup parameter: statement_timeout/);

    const tuning = { poolSize: 2, connectTimeoutMs: 2_000, statementTimeoutMs: STATEMENT_TIMEOUT_MS };
    const dataSource = await new DataSource({ ...dataSourceOptions(pooledUrl, {}, tuning), migrationsRun: false }).initialize();
    try {
      await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
      await expect(dataSource.transaction((manager) => manager.query('SELECT 2 AS two'))).resolves.toEqual([{ two: 2 }]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('SET LOCAL rides with START TRANSACTION: the transaction is bounded, the pooled server connection keeps nothing', async () => {
    const timeoutMs = 301; // a value nothing else in this file uses
    const client = new QueryTimeoutClient({ connectionString: pooledUrl, transactionStatementTimeoutMs: timeoutMs });
    await client.connect();
    try {
      const started = await client.query('START TRANSACTION');
      // The caller sees START TRANSACTION's result alone, not one result per statement.
      expect(Array.isArray(started)).toBe(false);
      expect(started.command).toBe('START');
      expect((await client.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0].statement_timeout).toBe(
        `${timeoutMs}ms`,
      );
      expect(sqlState(await failure(client.query('SELECT pg_sleep(10)')))).toBe('57014');
      await client.query('ROLLBACK');
      // Outside a transaction (on whichever server connection PgBouncer picks) the value is gone.
      for (let round = 0; round < BOUNCER_POOL * 2; round++) {
        expect((await client.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0].statement_timeout).not.toBe(
          `${timeoutMs}ms`,
        );
      }
    } finally {
      await client.end();
    }
  });

  it('the start-up role default bounds autocommit statements, SET LOCAL the transactions (57014 from the server)', async () => {
    const app = await startInstance();
    // Server connections opened before the role's default changed (by the tests above) keep their
    // value until recycled: what README "Behind PgBouncer" tells operators to do after a change.
    await adminConsole('RECONNECT');
    const autocommit = await failure(app.dataSource.query('SELECT pg_sleep(10)'));
    expect(sqlState(autocommit)).toBe('57014');
    const inTransaction = await failure(app.dataSource.transaction((manager) => manager.query('SELECT pg_sleep(10)')));
    expect(sqlState(inTransaction)).toBe('57014');
  });

  it('a request stuck behind a lock answers 503 once the server cancels it (not the client-side timeout)', async () => {
    const app = apps[0] ?? (await startInstance());
    const org = await app.bootstrap();
    const api = ApiClient.apiKey(app.baseUrl, org.environments[0].apiKey);
    expect((await api.get(ROUTE)).status).toBe(200); // authenticated once: the key is cached

    await direct.query('BEGIN');
    await direct.query('LOCK TABLE integrations IN ACCESS EXCLUSIVE MODE');
    try {
      const list = await api.get(ROUTE);
      expect(list.status).toBe(503);
      const create = await api.post(ROUTE, activeEmailPayload({ identifier: 'behind-lock' }));
      expect(create.status).toBe(503);
      // Cancelled by statement_timeout on the server: nobody waits for the lock any more. Had only
      // the client's query_timeout fired, the server would still be waiting.
      const { rows } = await direct.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      expect(rows[0].waiting).toBe(0);
    } finally {
      await direct.query('ROLLBACK');
    }
    expect((await api.get(ROUTE)).status).toBe(200);
  });

  it('LISTEN uses DATABASE_DIRECT_URL: a write on one instance reaches the other’s selection cache', async () => {
    const a = apps[0] ?? (await startInstance());
    const b = await startInstance(true, { encryptionKeys: a.config.encryptionKeys, jwtSecret: a.config.jwtSecret });
    const org = await a.bootstrap();
    const key = org.environments[0].apiKey;
    const onA = ApiClient.apiKey(a.baseUrl, key);
    const onB = ApiClient.apiKey(b.baseUrl, key);

    // The feeds' sessions are direct: none of PgBouncer's clients is a listener.
    expect(await listenersBehindBouncer()).toEqual([]);
    // …and each instance has its revocation listener on the server itself (the change feed connects
    // on its own schedule; the selections below show it listening).
    const { rows } = await direct.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [LISTENERS[1]],
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(2);

    const untilBSelects = async (expected: string | undefined) => {
      let seen: string | undefined;
      for (let poll = 1; poll <= 500; poll++) {
        const response = await onB.post(SELECT, { channel: 'email' });
        expect(response.status).toBe(200);
        seen = response.body.data.integration?.identifier;
        if (seen === expected) return;
      }
      throw new Error(`instance B still selects ${seen}, expected ${expected}`);
    };
    await untilBSelects(undefined); // B caches "no email integration"
    expect((await onA.post(ROUTE, activeEmailPayload({ identifier: 'via-a' }))).status).toBe(201);
    await untilBSelects('via-a'); // only the change notice can refresh B's cache (TTL one day)
  });

  it('without DATABASE_DIRECT_URL the feeds would LISTEN through the pooler, which the check above catches', async () => {
    const before = await listenersBehindBouncer();
    // The revocation feed's LISTEN is awaited during start-up.
    const pooledListen = await startInstance(false);
    const after = await listenersBehindBouncer();
    expect(after.length - before.length).toBeGreaterThanOrEqual(1);
    // Such a LISTEN sits on a server connection that PgBouncer hands to other clients after each
    // transaction: notices reach whoever holds it then, or PgBouncer drops the idle connection.
    await pooledListen.close();
  });

  it('no named prepared statement is left on any server connection after the service’s queries', async () => {
    const app = apps[0] ?? (await startInstance());
    const org = await app.bootstrap();
    const api = ApiClient.apiKey(app.baseUrl, org.environments[0].apiKey);
    for (let round = 0; round < 5; round++) {
      expect((await api.post(ROUTE, activeEmailPayload({ identifier: `prepared-${round}` }))).status).toBe(201);
      expect((await api.get(ROUTE)).status).toBe(200);
    }
    // Hold every server connection of the pool at once (one open transaction each) and look at each.
    const clients = Array.from({ length: BOUNCER_POOL }, () => new Client({ connectionString: pooledUrl }));
    try {
      await Promise.all(clients.map((client) => client.connect()));
      await Promise.all(clients.map((client) => client.query('BEGIN')));
      const sessions = await Promise.all(
        clients.map(
          async (client) =>
            (
              await client.query<{ pid: number; prepared: number }>(
                'SELECT pg_backend_pid() AS pid, (SELECT count(*)::int FROM pg_prepared_statements) AS prepared',
              )
            ).rows[0],
        ),
      );
      expect(new Set(sessions.map((session) => session.pid)).size).toBe(BOUNCER_POOL);
      expect(sessions.map((session) => session.prepared)).toEqual(sessions.map(() => 0));
    } finally {
      await Promise.all(clients.map((client) => client.query('ROLLBACK').catch(() => undefined)));
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    }
  });
});
