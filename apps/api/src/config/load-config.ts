import { join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import type { EncryptionKey } from '@app/integrations';
import { AppConfig } from './app-config';
import { ConfigError } from './config-error';
import { developmentSecrets, SECRETS_FILE } from './development-secrets';
import { EnvironmentVariables, LOG_LEVELS } from './environment-variables';
import { keyWeakness } from './secret-strength';
import { resolveLogFormat } from '../logging/log-format';

export { ConfigError } from './config-error';
export { DEFAULTS, type LogLevel } from './environment-variables';

/**
 * The environment, validated once (see README "Configuration"). `databaseUrl` is absent when
 * DATABASE_URL is unset outside production: the caller then starts the embedded PostgreSQL.
 */
export type EnvConfig = Omit<AppConfig, 'databaseUrl'> & { readonly databaseUrl?: string };

export interface LoadConfigOptions {
  /** Base for a relative DATA_DIR. Default process.cwd(). */
  readonly cwd?: string;
  /** Where notices (generated development secrets, weak older keys) go. Default console.error. */
  readonly log?: (message: string) => void;
  /** Whether stdout is a terminal, for LOG_FORMAT's default. Default process.stdout.isTTY. */
  readonly stdoutIsTerminal?: boolean;
}

/**
 * Validates `env` against the `EnvironmentVariables` schema and builds the typed configuration.
 * Throws one `ConfigError` with every problem; outside production, fills unset ENCRYPTION_KEYS and
 * JWT_SECRET from the development secrets file (generated on first use).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): EnvConfig {
  const log = options.log ?? ((message: string) => console.error(message));
  const vars = plainToInstance(EnvironmentVariables, setVariables(env));
  const problems = validateSync(vars, { whitelist: true }).flatMap(problemLines);
  const production = vars.NODE_ENV === 'production';
  if (production && vars.ENCRYPTION_KEYS) warnAboutWeakOlderKeys(vars.ENCRYPTION_KEYS.keys, log);
  if (problems.length) throw new ConfigError(problems);

  const dataDir = resolve(options.cwd ?? process.cwd(), vars.DATA_DIR);
  let encryptionKeys = vars.ENCRYPTION_KEYS?.keys;
  let jwtSecret = vars.JWT_SECRET;
  if (!production && (encryptionKeys === undefined || jwtSecret === undefined)) {
    const secrets = developmentSecrets(dataDir, log);
    const generated: string[] = [];
    if (encryptionKeys === undefined) {
      encryptionKeys = secrets.encryptionKeys;
      generated.push('ENCRYPTION_KEYS');
    }
    if (jwtSecret === undefined) {
      jwtSecret = secrets.jwtSecret;
      generated.push('JWT_SECRET');
    }
    log(
      `${generated.join(' and ')} not set: using the development secrets in ${join(dataDir, SECRETS_FILE)} (never use them in production)`,
    );
  }

  return {
    nodeEnv: vars.NODE_ENV,
    host: vars.HOST,
    port: vars.PORT,
    databaseUrl: vars.DATABASE_URL,
    ...(vars.DATABASE_DIRECT_URL !== undefined ? { databaseDirectUrl: vars.DATABASE_DIRECT_URL } : {}),
    dataDir,
    bodyLimitBytes: vars.BODY_LIMIT,
    // Production validation required both, and development filled them in above.
    encryptionKeys: encryptionKeys!,
    jwtSecret: jwtSecret!,
    // Absent unless set: verify-only secrets exist only during a rotation's grace period.
    previousJwtSecrets: vars.JWT_SECRET_PREVIOUS.length > 0 ? vars.JWT_SECRET_PREVIOUS : undefined,
    sessionTokenTtlSeconds: vars.SESSION_TOKEN_TTL,
    apiKeyCacheTtlMs: vars.API_KEY_CACHE_TTL_MS,
    ...(vars.SELECTION_CACHE_TTL_MS !== undefined ? { selectionCacheTtlMs: vars.SELECTION_CACHE_TTL_MS } : {}),
    database: {
      poolSize: vars.DATABASE_POOL_SIZE,
      connectTimeoutMs: vars.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: vars.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    novuDemoProviders: {
      email: vars.NOVU_EMAIL_INTEGRATION_API_KEY !== undefined,
      sms: vars.NOVU_SMS_INTEGRATION_ACCOUNT_SID !== undefined,
    },
    outboundUrls: { allow: vars.OUTBOUND_URL_ALLOW, refuseUnresolvable: vars.OUTBOUND_URL_REFUSE_UNRESOLVABLE },
    credentialsCheck: { timeoutMs: vars.CREDENTIALS_CHECK_TIMEOUT_MS, baseUrls: vars.CREDENTIALS_CHECK_BASE_URLS.baseUrls },
    logLevels: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(vars.LOG_LEVEL) + 1),
    rateLimits: {
      enabled: vars.RATE_LIMIT_ENABLED,
      readsPerMinute: vars.RATE_LIMIT_READS_PER_MINUTE,
      writesPerMinute: vars.RATE_LIMIT_WRITES_PER_MINUTE,
      failedAuthPerMinute: vars.RATE_LIMIT_FAILED_AUTH_PER_MINUTE,
      redisUrl: vars.REDIS_URL,
      redisKeyPrefix: vars.RATE_LIMIT_REDIS_PREFIX,
    },
    ...(vars.TRUST_PROXY.length > 0 ? { trustProxy: vars.TRUST_PROXY } : {}),
    // Absent unless exposed somewhere (README "Metrics").
    metrics:
      vars.METRICS_TOKEN !== undefined || vars.METRICS_PORT !== undefined
        ? { token: vars.METRICS_TOKEN, port: vars.METRICS_PORT, host: vars.METRICS_HOST }
        : undefined,
    logFormat: resolveLogFormat(vars.LOG_FORMAT, vars.NODE_ENV, options.stdoutIsTerminal ?? process.stdout.isTTY === true),
  };
}

/** Trimmed values; an empty or blank variable counts as unset, so the schema's default applies. */
function setVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim();
    if (value) set[name] = value;
  }
  return set;
}

/** `VARIABLE: problem`, one line per problem (a list variable reports each bad entry on its own line). */
function problemLines(error: ValidationError): string[] {
  return Object.values(error.constraints ?? {}).flatMap((message) => message.split('\n').map((line) => `${error.property}: ${line}`));
}

/** A weak key that only decrypts is not refused: it is needed to re-encrypt away from it. */
function warnAboutWeakOlderKeys(keys: readonly EncryptionKey[], log: (message: string) => void): void {
  keys.slice(1).forEach((entry) => {
    const weakness = keyWeakness(Buffer.from(entry.key, 'base64'), entry.key);
    if (weakness)
      log(`ENCRYPTION_KEYS: older key "${entry.id}" ${weakness}; it only decrypts now: run the reencrypt command, then remove it`);
  });
}
