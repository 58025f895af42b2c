import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, QUERY_TIMEOUT_MARGIN_MS } from '../../../apps/api/src/database/data-source-options';
import { QueryTimeoutClient } from '../../../apps/api/src/database/query-timeout-client';
import { isDatabaseUnavailable } from '../../../apps/api/src/http/database-unavailable';
import { createTestDatabase, TestDatabase } from '../../support/test-database';

const SLEEP_MARKER = 'query_timeout_int_spec_sleep';

/**
 * The client-side query timeout on a live PostgreSQL: a query the server keeps running (a long
 * pg_sleep, with statement_timeout out of the way) stands for a server that stopped answering. The
 * connection it timed out on must leave the pool, so that TypeORM's ROLLBACK and the next query do
 * not queue behind it: with a pool of one connection, the next query answers while the sleep is
 * still running on the server.
 */
describe('client-side query timeout', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let watcher: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    const options = dataSourceOptions(database.url, {}, { poolSize: 1, connectTimeoutMs: 2_000, statementTimeoutMs: 60_000 });
    const extra = (options as { extra: Record<string, unknown> }).extra;
    dataSource = await new DataSource({
      ...options,
      migrationsRun: false,
      extra: { ...extra, query_timeout: 300 },
    } as typeof options).initialize();
    watcher = new Client({ connectionString: database.url });
    await watcher.connect();
  });

  afterAll(async () => {
    await watcher
      ?.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%${SLEEP_MARKER}%' AND pid <> pg_backend_pid()`)
      .catch(() => undefined);
    await watcher?.end();
    await dataSource?.destroy();
    await database?.drop();
  });

  const sleepRunning = async () =>
    (
      await watcher.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(30) /* ${SLEEP_MARKER} */%'`,
      )
    ).rows[0].n;

  it('configures the pool with the bounded client, query_timeout above statement_timeout and keepalive', () => {
    const extra = (
      dataSourceOptions('postgres://u@h/db', {}, { poolSize: 3, connectTimeoutMs: 500, statementTimeoutMs: 4_000 }) as {
        extra: Record<string, unknown>;
      }
    ).extra;
    expect(extra).toMatchObject({
      Client: QueryTimeoutClient,
      // Per transaction (SET LOCAL with START TRANSACTION), never a startup parameter, which PgBouncer refuses.
      transactionStatementTimeoutMs: 4_000,
      query_timeout: 4_000 + QUERY_TIMEOUT_MARGIN_MS,
      keepAlive: true,
    });
    expect(extra.keepAliveInitialDelayMillis).toEqual(expect.any(Number));
    expect(extra).not.toHaveProperty('statement_timeout');
    expect(extra).not.toHaveProperty('options');
  });

  it('fails the transaction as "database unavailable" and hands the next query a fresh connection', async () => {
    const failed = await dataSource
      .transaction((manager) => manager.query(`SELECT pg_sleep(30) /* ${SLEEP_MARKER} */`))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toContain('Query read timeout');
    expect(isDatabaseUnavailable(failed)).toBe(true);

    // The only pooled connection was the one stuck in pg_sleep: this answer comes from a new one.
    await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    expect(await sleepRunning()).toBe(1);
  });
});
