import { DataSource, MigrationExecutor } from 'typeorm';

/** Advisory-lock key (transaction level) that serialises instances migrating one database at once. */
export const MIGRATIONS_LOCK = 'integrations:migrations';

/**
 * Runs the pending migrations of `dataSource` in one transaction that first takes a
 * transaction-level advisory lock, so that several instances starting at once on the same database
 * (a scaled deploy, `docker compose up --scale api=3` on an empty database) migrate it one after the
 * other: the first applies what is pending, the others wait for its commit, then find nothing to do.
 * TypeORM's own `migrationsRun` takes no lock on PostgreSQL and creates its `migrations` table
 * outside any transaction, so a second instance failed its start with 42P07 or 23505.
 *
 * Transaction level only (`pg_advisory_xact_lock`): PgBouncer in transaction mode may hand a
 * session-level lock's server connection to another client. The statement timeout bounds the wait
 * like any other statement.
 */
export async function runMigrationsSerialised(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.startTransaction();
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
