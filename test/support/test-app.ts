import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { BootstrapOrganization, BootstrapResult } from '@app/tenancy';
import { createApp } from '../../apps/api/src/bootstrap/create-app';
import { AppConfig } from '../../apps/api/src/config/app-config';
import { directUrlOf } from './database-guard';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  readonly app: NestFastifyApplication;
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string;
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  /** A new organization (Development + Production, an API key each, a session token). */
  bootstrap(organizationName?: string): Promise<BootstrapResult>;
  /** Closes the app and drops its database. */
  close(): Promise<void>;
}

/**
 * A test configuration: fresh secrets, its own database unless `overrides.databaseUrl` is given.
 * When `databaseUrl` goes through the test PgBouncer (TEST_PGBOUNCER=1), `databaseDirectUrl` is the
 * same database on the server itself, as DATABASE_DIRECT_URL would be in production.
 */
export function testConfig(databaseUrl: string, overrides: Partial<AppConfig> = {}): AppConfig {
  const databaseDirectUrl = directUrlOf(databaseUrl);
  return {
    nodeEnv: 'test',
    host: '127.0.0.1',
    port: 0,
    databaseUrl,
    ...(databaseDirectUrl !== undefined ? { databaseDirectUrl } : {}),
    dataDir: join(__dirname, '..', '..', '.data', 'test-app'),
    bodyLimitBytes: 1_048_576,
    encryptionKeys: [{ id: 'test-1', key: randomBytes(32).toString('base64') }],
    jwtSecret: randomBytes(48).toString('base64url'),
    sessionTokenTtlSeconds: 3600,
    apiKeyCacheTtlMs: 30_000,
    database: { poolSize: 10, connectTimeoutMs: 2_000, statementTimeoutMs: 5_000 },
    shutdownTimeoutMs: 10_000,
    novuDemoProviders: { email: false, sms: false },
    outboundUrls: { allow: [], refuseUnresolvable: false },
    credentialsCheck: { timeoutMs: 3_000, baseUrls: {} },
    logLevels: ['fatal', 'error'],
    // In memory and out of reach of any test that does not set its own (the property suite sends
    // thousands of bad Authorization headers from 127.0.0.1; the races send 50 requests at once).
    rateLimits: {
      enabled: true,
      readsPerMinute: 100_000_000,
      writesPerMinute: 100_000_000,
      failedAuthPerMinute: 100_000_000,
      redisKeyPrefix: 'test:rate-limit',
    },
    // Human-readable lines (no colours: not a terminal), which the log tests read as text; the
    // JSON format has its own tests (test/e2e/structured-logs.e2e-spec.ts).
    logFormat: 'pretty',
    ...overrides,
  };
}

/** The real HTTP application on a random port of 127.0.0.1, against a clean migrated database. */
export async function startTestApp(overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  const database: TestDatabase | undefined = overrides.databaseUrl ? undefined : await createTestDatabase();
  const config = testConfig(overrides.databaseUrl ?? database!.url, overrides);
  let app: NestFastifyApplication | undefined;
  try {
    app = await createApp(config, { shutdownHooks: false });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app?.close().catch(() => undefined);
    await database?.drop();
    throw error;
  }
  const address = app.getHttpServer().address();
  if (!address || typeof address !== 'object') throw new Error('the test app is not listening on a TCP port');
  const started = app;
  let closing: Promise<void> | undefined;
  return {
    app: started,
    baseUrl: `http://127.0.0.1:${address.port}`,
    config,
    dataSource: started.get(DataSource),
    bootstrap: (organizationName?: string) => started.get(BootstrapOrganization).execute({ organizationName }),
    close: () =>
      (closing ??= (async () => {
        await started.close();
        await database?.drop();
      })()),
  };
}
