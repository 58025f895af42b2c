import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import { QUERY_TIMEOUT_MARGIN_MS } from './data-source-options';

/** Advisory-lock key (transaction level) that serialises instances migrating one database at once. */
export const MIGRATIONS_LOCK = 'integrations:migrations';

/**
 * `statement_timeout` of the migrations' transaction, for each of its statements: the wait for a
 * peer instance's migrations included. Generous, because an index build or a backfill on a large
 * table legitimately takes minutes; still bounded, so that a start never waits forever.
 */
export const MIGRATION_STATEMENT_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs the pending migrations of `dataSource` in one transaction that first takes a
 * transaction-level advisory lock, so that several instances starting at once on the same database
 * (a scaled deploy, `docker compose up --scale api=3` on an empty database) migrate it one after the
 * other: the first applies what is pending, the others wait for its commit, then find nothing to do.
 * TypeORM's own `migrationsRun` takes no lock on PostgreSQL and creates its `migrations` table
 * outside any transaction, so a second instance failed its start with 42P07 or 23505.
 *
 * Transaction level only (`pg_advisory_xact_lock`): PgBouncer in transaction mode may hand a
 * session-level lock's server connection to another client. Each statement, the wait for the lock
 * included, is bounded by `statementTimeoutMs` (`SET LOCAL`), not by the requests' statement timeout:
 * run it on a data source whose client-side `query_timeout` is longer still ({@link migrationDataSourceOptions}).
 */
export async function runMigrationsSerialised(dataSource: DataSource, statementTimeoutMs = MIGRATION_STATEMENT_TIMEOUT_MS): Promise<void> {
  if (!(Number.isInteger(statementTimeoutMs) && statementTimeoutMs > 0)) {
    throw new TypeError(`statementTimeoutMs must be a positive whole number of milliseconds (got ${String(statementTimeoutMs)})`);
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.startTransaction();
    // Not the requests' statement timeout (the role's default, or SET LOCAL from QueryTimeoutClient):
    // the wait for a peer's migrations and a migration's own statements may take much longer.
    await runner.query(`SET LOCAL statement_timeout = ${statementTimeoutMs}`);
    await runner.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [MIGRATIONS_LOCK]);
    // Given our runner, the executor works in our transaction: its own "all" transaction becomes a savepoint.
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'all';
    await executor.executePendingMigrations();
    await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}

/**
 * The options of the short-lived data source that migrates at start-up: the service's own, with one
 * connection and a client-side `query_timeout` just above the migrations' statement timeout instead
 * of the requests' (which would give up on a long migration, or on the wait for a peer's).
 */
export function migrationDataSourceOptions(
  options: DataSourceOptions,
  statementTimeoutMs = MIGRATION_STATEMENT_TIMEOUT_MS,
): DataSourceOptions {
  const extra = { ...((options as { extra?: Record<string, unknown> }).extra ?? {}) };
  delete extra.transactionStatementTimeoutMs;
  return {
    ...options,
    migrationsRun: false,
    poolSize: 1,
    extra: { ...extra, query_timeout: statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS },
  } as DataSourceOptions;
}
