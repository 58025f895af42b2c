import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ApiKeyLookupObserver } from './application/ports/api-key-lookup-observer';

export interface TenancyModuleOptions {
  /** HS256 secret that signs session tokens. Required, not empty. */
  readonly jwtSecret: string;
  /**
   * Secrets that signed tokens before the current one (a rotation's grace period): tokens signed
   * with them are still accepted until they expire; new tokens are signed with `jwtSecret` only.
   */
  readonly previousJwtSecrets?: readonly string[];
  /** Lifetime of a session token; default 86400 (one day). */
  readonly sessionTokenTtlSeconds?: number;
  /**
   * How long a successful API-key lookup is cached in this process; default 30000. This is also how
   * how long a key revoked directly in SQL (without the announcement the revoke use case sends) may
   * still be accepted here. 0 disables the cache.
   */
  readonly apiKeyCacheTtlMs?: number;
  /** Told whether each API-key lookup hit the cache, e.g. to count them (default: nobody). */
  readonly apiKeyLookupObserver?: ApiKeyLookupObserver;
  /**
   * postgres:// URL of a direct (session) connection to the same database, for the dedicated
   * `LISTEN` connection of the API-key revocation feed. Set it when the host's DataSource goes through a
   * transaction pooler (PgBouncer `pool_mode = transaction`), which cannot carry `LISTEN`: the
   * notices would go to whichever server connection ran it. Default: the DataSource's own connection
   * settings. The DataSource's TLS options and connect timeout apply to it too.
   */
  readonly listenConnectionUrl?: string;
}

export const DEFAULT_SESSION_TOKEN_TTL_SECONDS = 86_400;
export const DEFAULT_API_KEY_CACHE_TTL_MS = 30_000;
export const API_KEY_CACHE_MAX_ENTRIES = 10_000;

export const {
  ConfigurableModuleClass: TenancyConfigurableModule,
  MODULE_OPTIONS_TOKEN: TENANCY_MODULE_OPTIONS,
  OPTIONS_TYPE: TENANCY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TENANCY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TenancyModuleOptions>().setClassMethodName('forRoot').build();
