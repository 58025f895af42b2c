import { EncryptionKey } from '@app/integrations';

/** The validated, typed configuration of the API application (see README "Configuration"). */
export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  /** postgres://… — from DATABASE_URL, or the embedded PostgreSQL started for this process. */
  readonly databaseUrl: string;
  /** Where the embedded PostgreSQL and the generated development secrets live (default ./.data). */
  readonly dataDir: string;
  /** Largest accepted request body, bytes. */
  readonly bodyLimitBytes: number;
  /** First key encrypts; all decrypt. */
  readonly encryptionKeys: readonly EncryptionKey[];
  /** HS256 secret for session tokens. */
  readonly jwtSecret: string;
  readonly sessionTokenTtlSeconds: number;
  /** How long a successful API-key lookup is cached (so how long a revoked key may still work). */
  readonly apiKeyCacheTtlMs: number;
  /** The PostgreSQL pool (DATABASE_POOL_SIZE, DATABASE_CONNECT_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS). */
  readonly database: DatabaseTuning;
  /** SIGTERM/SIGINT: how long in-flight requests may take to finish before the process gives up (SHUTDOWN_TIMEOUT_MS). */
  readonly shutdownTimeoutMs: number;
  readonly novuDemoProviders: { readonly email: boolean; readonly sms: boolean };
  /** Outbound URL safety: hosts, IPs or CIDR ranges allowed although internal (OUTBOUND_URL_ALLOW). */
  readonly outboundUrls: { readonly allow: readonly string[]; readonly refuseUnresolvable: boolean };
  /** `check: true`: total time per check, and provider API base URLs replacing the real ones. */
  readonly credentialsCheck: { readonly timeoutMs: number; readonly baseUrls: Readonly<Record<string, string>> };
  /** Selection cache (issue #10): safety-net TTL of SelectIntegration's cache, ms; 0 disables it (SELECTION_CACHE_TTL_MS). */
  readonly selectionCacheTtlMs?: number;
  /** Log level for Nest's logger. */
  readonly logLevels: readonly ('log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal')[];
}

/** How the API talks to PostgreSQL: fail fast when it is unreachable, never hang on a statement. */
export interface DatabaseTuning {
  /** Connections per process (pg pool `max`). */
  readonly poolSize: number;
  /** Giving up on opening a connection (or waiting for a free one in the pool), ms. */
  readonly connectTimeoutMs: number;
  /** Server-side `statement_timeout`, ms (also bounds waits for row and advisory locks). */
  readonly statementTimeoutMs: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
