import { DataSourceOptions } from 'typeorm';
import { integrationsEntities, integrationsMigrations } from '@app/integrations';
import { tenancyEntities, tenancyMigrations } from '@app/tenancy';
import { IdempotencyRecord } from '../idempotency/infrastructure/idempotency.record';
import { CreateIdempotencyRecords1764000002000 } from '../idempotency/infrastructure/migrations/1764000002000-create-idempotency-records';
import { KeyIdempotencyFingerprints1764000003000 } from '../idempotency/infrastructure/migrations/1764000003000-key-idempotency-fingerprints';
import type { DatabaseTuning } from '../config/app-config';

/** Every entity the API registers: the integrations library's, the tenancy library's and its own. */
export const entities = [...integrationsEntities, ...tenancyEntities, IdempotencyRecord];

/** Tenancy first: the integrations tables reference `environments(id)`. The API's own tables last. */
export const migrations = [
  ...tenancyMigrations,
  ...integrationsMigrations,
  CreateIdempotencyRecords1764000002000,
  KeyIdempotencyFingerprints1764000003000,
];

/** Defaults of DATABASE_POOL_SIZE, DATABASE_CONNECT_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS. */
export const DEFAULT_DATABASE_TUNING: DatabaseTuning = { poolSize: 10, connectTimeoutMs: 2_000, statementTimeoutMs: 5_000 };

/**
 * The TypeORM options of the API (and of the test databases): migrations run on start-up,
 * never `synchronize`. The pool fails fast when PostgreSQL is unreachable (connect timeout, also
 * the longest wait for a free pooled connection) and no statement runs longer than
 * `statementTimeoutMs` (PostgreSQL's `statement_timeout`, which also bounds lock waits).
 */
export function dataSourceOptions(
  url: string,
  overrides: Partial<PostgresOptions> = {},
  tuning: DatabaseTuning = DEFAULT_DATABASE_TUNING,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsRun: true,
    synchronize: false,
    logging: false,
    poolSize: tuning.poolSize,
    connectTimeoutMS: tuning.connectTimeoutMs,
    extra: {
      statement_timeout: tuning.statementTimeoutMs,
      // Detect a vanished server on idle pooled connections instead of waiting for the OS default.
      keepAlive: true,
    },
    ...overrides,
  } as DataSourceOptions;
}

type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;
