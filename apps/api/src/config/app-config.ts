import { EncryptionKey } from '@app/integrations';
import type { LogFormat } from '../logging/log-format';

/** The validated, typed configuration of the API application (see README "Configuration"). */
export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  /** postgres://… — from DATABASE_URL, or the embedded PostgreSQL started for this process. */
  readonly databaseUrl: string;
  /**
   * DATABASE_DIRECT_URL: a direct connection to the same database when `databaseUrl` goes through a
   * transaction pooler (PgBouncer), for LISTEN and the start-up statement-timeout default. Absent: `databaseUrl`.
   */
  readonly databaseDirectUrl?: string;
  /** Where the embedded PostgreSQL and the generated development secrets live (default ./.data). */
  readonly dataDir: string;
  /** Largest accepted request body, bytes. */
  readonly bodyLimitBytes: number;
  /** First key encrypts; all decrypt. */
  readonly encryptionKeys: readonly EncryptionKey[];
  /** HS256 secret for session tokens. */
  readonly jwtSecret: string;
  /** JWT_SECRET_PREVIOUS: verify only (the grace period of a rotation). */
  readonly previousJwtSecrets?: readonly string[];
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
  /** Where /metrics is served (README "Metrics"): METRICS_TOKEN, METRICS_PORT, METRICS_HOST. */
  readonly metrics?: MetricsExposure;
  /** Selection cache (issue #10): safety-net TTL of SelectIntegration's cache, ms; 0 disables it (SELECTION_CACHE_TTL_MS). */
  readonly selectionCacheTtlMs?: number;
  /** Log level for Nest's logger. */
  readonly logLevels: readonly ('log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal')[];
  /** JSON lines or pino-pretty's lines (LOG_FORMAT, else decided by NODE_ENV and whether stdout is a terminal). */
  readonly logFormat: LogFormat;
  /** Request budgets (RATE_LIMIT_*, REDIS_URL; README "Rate limits"). */
  readonly rateLimits: RateLimitSettings;
  /** Reverse proxies whose `X-Forwarded-For` names the client (TRUST_PROXY): addresses or CIDR ranges. None: the socket's address. */
  readonly trustProxy?: readonly string[];
}

/** Budgets per minute: reads and writes per API key or session organization, failed authentications per client address. */
export interface RateLimitSettings {
  readonly enabled: boolean;
  readonly readsPerMinute: number;
  readonly writesPerMinute: number;
  readonly failedAuthPerMinute: number;
  /** Set: the budgets live in this Redis, shared by every instance. Unset: in this process's memory. */
  readonly redisUrl?: string;
  /** Prefix of the keys in Redis. */
  readonly redisKeyPrefix: string;
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

/**
 * /metrics: on the public port only when `token` is set (and then only with `Authorization: Bearer
 * <token>`); on a listener of its own at `host:port` when `port` is set (the token, when set, is
 * required there too). Neither: /metrics is not served.
 */
export interface MetricsExposure {
  readonly token?: string;
  readonly port?: number;
  readonly host: string;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
