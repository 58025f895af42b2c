import { DataSourceOptions } from 'typeorm';
import { integrationsEntities, integrationsMigrations } from '@app/integrations';
import { tenancyEntities, tenancyMigrations } from '@app/tenancy';
import { IdempotencyRecord } from '../idempotency/infrastructure/idempotency.record';
import { CreateIdempotencyRecords1764000002000 } from '../idempotency/infrastructure/migrations/1764000002000-create-idempotency-records';
import { KeyIdempotencyFingerprints1764000003000 } from '../idempotency/infrastructure/migrations/1764000003000-key-idempotency-fingerprints';
import type { DatabaseTuning } from '../config/app-config';
import { IntegrationsEnvironmentForeignKey1764000001500 } from './migrations/1764000001500-integrations-environment-foreign-key';
import { QueryTimeoutClient, QueryTimeoutClientConfig } from './query-timeout-client';
import { QueryTimingSubscriber } from './query-timing.subscriber';

/** Every entity the API registers: the integrations library's, the tenancy library's and its own. */
export const entities = [...integrationsEntities, ...tenancyEntities, IdempotencyRecord];

/**
 * Tenancy first, then the integrations library's tables, then the API's foreign key from
 * `integrations` to the tenancy library's `environments` (the library leaves it to its host). The
 * API's own tables last.
 */
export const migrations = [
  ...tenancyMigrations,
  ...integrationsMigrations,
  IntegrationsEnvironmentForeignKey1764000001500,
  CreateIdempotencyRecords1764000002000,
  KeyIdempotencyFingerprints1764000003000,
];

/** Defaults of DATABASE_POOL_SIZE, DATABASE_CONNECT_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS. */
export const DEFAULT_DATABASE_TUNING: DatabaseTuning = { poolSize: 10, connectTimeoutMs: 2_000, statementTimeoutMs: 5_000 };

/**
 * How much longer than `statement_timeout` the client waits for an answer before it gives up on
 * the connection: long enough that a live server always cancels first (a clean 57014 on a
 * connection that stays usable), short enough that a frozen one costs about one timeout.
 */
export const QUERY_TIMEOUT_MARGIN_MS = 1_000;

/** Idle time before the first TCP keepalive probe on a pooled connection. */
export const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/**
 * The TypeORM options of the API (and of the test databases): migrations run on start-up,
 * never `synchronize`. The pool fails fast when PostgreSQL is unreachable (connect timeout, also
 * the longest wait for a free pooled connection) and no statement runs longer than
 * `statementTimeoutMs` (PostgreSQL's `statement_timeout`, which also bounds lock waits).
 *
 * `url` may point at a transaction pooler (PgBouncer `pool_mode = transaction`): no session state
 * is set on the connection. PgBouncer refuses startup parameters such as `statement_timeout`, and a
 * session `SET` would stick to whichever server connection ran it. The statement timeout is applied
 * per transaction instead ({@link QueryTimeoutClient} folds `SET LOCAL statement_timeout` into the
 * round trip of `START TRANSACTION`) and, for statements outside a transaction, as the role's
 * default in the database (statement-timeout-default.ts, at start-up). README "Behind PgBouncer".
 *
 * A server that stops answering (frozen, SIGSTOPped, partitioned) enforces no `statement_timeout`:
 * node-postgres's client-side `query_timeout` bounds every query, BEGIN/COMMIT/ROLLBACK of
 * TypeORM's transactions included, and {@link QueryTimeoutClient} closes a connection whose query
 * timed out so that the pool never hands it out again. TCP keepalive detects a vanished host on
 * idle pooled connections instead of waiting for the OS default (two hours).
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
    // Query timings at debug level (LOG_LEVEL=debug), through Nest's logger.
    subscribers: [QueryTimingSubscriber],
    poolSize: tuning.poolSize,
    connectTimeoutMS: tuning.connectTimeoutMs,
    extra: {
      Client: QueryTimeoutClient,
      transactionStatementTimeoutMs: tuning.statementTimeoutMs,
      query_timeout: tuning.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    } satisfies QueryTimeoutClientConfig & { Client: typeof QueryTimeoutClient },
    ...overrides,
  } as DataSourceOptions;
}

type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;
