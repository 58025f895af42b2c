import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/api/src/database/data-source-options';
import {
  assertTestDatabaseUrl,
  TEMPLATE_DATABASE,
  TEST_DATABASE_POOLED_SERVER_ENV,
  TEST_DATABASE_PREFIX,
  TEST_DATABASE_SERVER_ENV,
  withDatabase,
} from './database-guard';

export interface TestDatabase {
  /**
   * postgres://… of the new database: what the service's pool (DATABASE_URL) uses. Through the test
   * PgBouncer (transaction mode) when TEST_PGBOUNCER=1, else the same as `directUrl`.
   */
  readonly url: string;
  /** postgres://… of the new database on the server itself (DATABASE_DIRECT_URL: LISTEN, admin work). */
  readonly directUrl: string;
  /** Whether `url` goes through PgBouncer. */
  readonly pooled: boolean;
  /** Drops it (closing any connection still open). */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env[TEST_DATABASE_SERVER_ENV];
  if (!url) {
    throw new Error(
      `${TEST_DATABASE_SERVER_ENV} is not set: database tests must run through Jest's integration/e2e projects (npm test / npm run test:db), whose globalSetup starts PostgreSQL.`,
    );
  }
  return url;
}

async function admin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A new database copied from the migrated template: every test file gets its own, empty but migrated.
 * `{ migrated: false }`: a database with no table at all (from `template0`), for tests that run migrations themselves.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const template = options.migrated === false ? 'template0' : TEMPLATE_DATABASE;
  const name = `${TEST_DATABASE_PREFIX}${process.pid}_${randomBytes(5).toString('hex')}`;
  const directUrl = withDatabase(serverUrl(), name);
  assertTestDatabaseUrl(directUrl);
  const pooledServer = process.env[TEST_DATABASE_POOLED_SERVER_ENV];
  const url = pooledServer ? withDatabase(pooledServer, name) : directUrl;
  await admin(async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${template}`);
        return;
      } catch (error) {
        // 55006: "source database is being accessed by other users" — a short-lived race.
        if ((error as { code?: string }).code !== '55006' || attempt >= 10) throw error;
        await new Promise((done) => setTimeout(done, 100 * attempt));
      }
    }
  });
  let dropped: Promise<void> | undefined;
  return {
    url,
    directUrl,
    pooled: url !== directUrl,
    drop: () =>
      (dropped ??= admin(async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      })),
  };
}

/** A DataSource on `url` with every entity of the API; migrations are already in the template. */
export async function openTestDataSource(url: string): Promise<DataSource> {
  assertTestDatabaseUrl(url);
  return new DataSource({ ...dataSourceOptions(url), migrationsRun: false }).initialize();
}
