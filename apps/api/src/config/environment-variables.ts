import { Transform } from 'class-transformer';
import * as ipaddr from 'ipaddr.js';
import { IsIn, IsOptional, IsString } from 'class-validator';
import type { AppConfig } from './app-config';
import { Flag, oneOf, requiredInProduction, Rules, WholeNumber } from './environment-decorators';
import {
  HOW_TO_GENERATE_KEY,
  HOW_TO_GENERATE_SECRET,
  MIN_JWT_SECRET_LENGTH,
  parseEncryptionKeys,
  ParsedEncryptionKeys,
} from './secret-formats';
import { keyWeakness, looksLikePlaceholder, textSecretWeakness } from './secret-strength';
import { LOG_FORMATS, type LogFormat } from '../logging/log-format';

export type LogLevel = AppConfig['logLevels'][number];

/** The defaults of README "Configuration". */
export const DEFAULTS = {
  nodeEnv: 'development',
  host: '127.0.0.1',
  port: 3000,
  dataDir: '.data',
  bodyLimitBytes: 1_048_576,
  sessionTokenTtlSeconds: 86_400,
  apiKeyCacheTtlMs: 30_000,
  databasePoolSize: 10,
  databaseConnectTimeoutMs: 2_000,
  databaseStatementTimeoutMs: 5_000,
  shutdownTimeoutMs: 10_000,
  credentialsCheckTimeoutMs: 5_000,
  logLevel: 'log',
  // Rate limits (README "Rate limits"): per API key / session organization, and per client address for failed authentication.
  rateLimitEnabled: true,
  rateLimitReadsPerMinute: 3_000,
  rateLimitWritesPerMinute: 600,
  rateLimitFailedAuthPerMinute: 60,
  rateLimitRedisPrefix: 'integrations:rate-limit',
  metricsHost: '127.0.0.1',
} as const;

/** METRICS_TOKEN: long enough that it cannot be guessed by trying. */
export const MIN_METRICS_TOKEN_LENGTH = 16;

export const NODE_ENVS = ['development', 'production', 'test'] as const;
/** Most severe first: LOG_LEVEL=warn enables fatal, error and warn. */
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** `sendgrid=http://127.0.0.1:4010,twilio=https://twilio.internal` → provider id → base URL. */
export interface ParsedBaseUrls {
  readonly baseUrls: Readonly<Record<string, string>>;
  /** One line per malformed entry. */
  readonly problems: readonly string[];
}

const inProduction = (env: EnvironmentVariables): boolean => env.NODE_ENV === 'production';

/**
 * The environment, as one schema (README "Configuration"): each property is the variable of the
 * same name, its initializer the default, its decorators the parsing and the rules. `loadConfig`
 * trims every value and drops empty ones (an empty variable is an unset one) before
 * `plainToInstance`, then validates the whole instance once and builds the `AppConfig` from it.
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVS, { message: oneOf(NODE_ENVS) })
  NODE_ENV: (typeof NODE_ENVS)[number] = DEFAULTS.nodeEnv;

  @IsString()
  HOST: string = DEFAULTS.host;

  @WholeNumber(0, 65_535)
  PORT: number = DEFAULTS.port;

  /** Unset outside production: the caller starts the embedded PostgreSQL. */
  @Rules<string | undefined, EnvironmentVariables>(requiredInProduction('postgres://user:password@host:5432/database'), (value, env) =>
    value === undefined ? undefined : databaseUrlProblem(value, inProduction(env)),
  )
  DATABASE_URL?: string;

  /**
   * A direct (session) connection to the same database, for what a transaction pooler cannot carry:
   * LISTEN (selection cache, API-key revocations) and the start-up statement-timeout default.
   * Unset: DATABASE_URL. README "Behind PgBouncer".
   */
  @Rules<string | undefined, EnvironmentVariables>(
    (value, env) =>
      value !== undefined && env.DATABASE_URL === undefined
        ? 'set only together with DATABASE_URL (the embedded PostgreSQL needs no direct URL)'
        : undefined,
    (value, env) => (value === undefined ? undefined : databaseUrlProblem(value, inProduction(env))),
  )
  DATABASE_DIRECT_URL?: string;

  /** Resolved against the working directory by `loadConfig`. */
  @IsString()
  DATA_DIR: string = DEFAULTS.dataDir;

  @WholeNumber(1, 1_073_741_824)
  BODY_LIMIT: number = DEFAULTS.bodyLimitBytes;

  /** Generated into the development secrets file when unset outside production. */
  @Transform(({ value }: { value: string }) => parseEncryptionKeys(value))
  @Rules<ParsedEncryptionKeys | undefined, EnvironmentVariables>(
    requiredInProduction(`"k1:<base64 of 32 random bytes>[,k0:<older key>]"; ${HOW_TO_GENERATE_KEY}`),
    (parsed) => parsed?.problems,
    (parsed, env) => (parsed && inProduction(env) ? encryptingKeyWeakness(parsed) : undefined),
  )
  ENCRYPTION_KEYS?: ParsedEncryptionKeys;

  /** Generated into the development secrets file when unset outside production. */
  @Rules<string | undefined, EnvironmentVariables>(
    (secret) =>
      secret !== undefined && secret.length < MIN_JWT_SECRET_LENGTH
        ? `must be at least ${MIN_JWT_SECRET_LENGTH} characters (got ${secret.length})`
        : undefined,
    requiredInProduction(`at least ${MIN_JWT_SECRET_LENGTH} characters; ${HOW_TO_GENERATE_SECRET}`),
    (secret, env) =>
      secret !== undefined && secret.length >= MIN_JWT_SECRET_LENGTH && inProduction(env) ? jwtSecretWeakness(secret) : undefined,
  )
  JWT_SECRET?: string;

  // Session-token secret rotation (README "Operating the service" → "Keys and tokens")
  /** Comma-separated secrets that signed tokens before JWT_SECRET: still accepted, never used to sign. */
  @Transform(({ value }: { value: string }) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  @Rules<string[]>((secrets) =>
    secrets.some((secret) => secret.length < MIN_JWT_SECRET_LENGTH)
      ? `every secret must be at least ${MIN_JWT_SECRET_LENGTH} characters`
      : undefined,
  )
  JWT_SECRET_PREVIOUS: string[] = [];

  @WholeNumber(1, 31_536_000)
  SESSION_TOKEN_TTL: number = DEFAULTS.sessionTokenTtlSeconds;

  @WholeNumber(0, 86_400_000)
  API_KEY_CACHE_TTL_MS: number = DEFAULTS.apiKeyCacheTtlMs;

  // Selection cache (issue #10): safety-net TTL of the in-process selection cache; 0 disables it.
  // Unset: the library's default (60000 ms).
  @WholeNumber(0, 86_400_000)
  SELECTION_CACHE_TTL_MS?: number;

  @WholeNumber(1, 1_000)
  DATABASE_POOL_SIZE: number = DEFAULTS.databasePoolSize;

  @WholeNumber(100, 600_000)
  DATABASE_CONNECT_TIMEOUT_MS: number = DEFAULTS.databaseConnectTimeoutMs;

  @WholeNumber(100, 3_600_000)
  DATABASE_STATEMENT_TIMEOUT_MS: number = DEFAULTS.databaseStatementTimeoutMs;

  @WholeNumber(0, 600_000)
  SHUTDOWN_TIMEOUT_MS: number = DEFAULTS.shutdownTimeoutMs;

  /** Presence allows the `novu-email` demo provider. */
  @IsOptional()
  @IsString()
  NOVU_EMAIL_INTEGRATION_API_KEY?: string;

  /** Presence allows the `novu-sms` demo provider. */
  @IsOptional()
  @IsString()
  NOVU_SMS_INTEGRATION_ACCOUNT_SID?: string;

  /** Comma-separated hosts, IPs or CIDR ranges. */
  @Transform(({ value }: { value: string }) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  @IsString({ each: true })
  OUTBOUND_URL_ALLOW: string[] = [];

  /**
   * Comma-separated IP addresses or CIDR ranges of the reverse proxies in front of the service
   * (nginx, a load balancer): a request from one of them is attributed to the client address its
   * `X-Forwarded-For` names (the failed-authentication budget, the access log). Unset: the socket's
   * address, whatever the headers say (trusting every sender would let a client pick its address).
   */
  @Transform(({ value }: { value: string }) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  @Rules<string[]>((entries) => {
    const bad = entries.find((entry) => !isAddressOrRange(entry));
    return bad === undefined ? undefined : `must list IP addresses or CIDR ranges, e.g. 10.0.0.0/8,127.0.0.1 (got "${bad.slice(0, 64)}")`;
  })
  TRUST_PROXY: string[] = [];

  @Flag()
  OUTBOUND_URL_REFUSE_UNRESOLVABLE = false;

  @WholeNumber(100, 120_000)
  CREDENTIALS_CHECK_TIMEOUT_MS: number = DEFAULTS.credentialsCheckTimeoutMs;

  @Transform(({ value }: { value: string }) => parseBaseUrls(value))
  @Rules<ParsedBaseUrls>((parsed) => parsed.problems)
  CREDENTIALS_CHECK_BASE_URLS: ParsedBaseUrls = { baseUrls: {}, problems: [] };

  @Transform(({ value }: { value: string }) => value.toLowerCase())
  @IsIn(LOG_LEVELS, { message: oneOf(LOG_LEVELS) })
  LOG_LEVEL: LogLevel = DEFAULTS.logLevel;

  /** Unset: JSON lines, or pretty lines for a terminal outside production (logging/log-format.ts). */
  @IsOptional()
  @Transform(({ value }: { value: string }) => value.toLowerCase())
  @IsIn(LOG_FORMATS, { message: oneOf(LOG_FORMATS) })
  LOG_FORMAT?: LogFormat;

  // --- Rate limits (README "Rate limits") ---

  @Flag()
  RATE_LIMIT_ENABLED: boolean = DEFAULTS.rateLimitEnabled;

  @WholeNumber(1, 100_000_000)
  RATE_LIMIT_READS_PER_MINUTE: number = DEFAULTS.rateLimitReadsPerMinute;

  @WholeNumber(1, 100_000_000)
  RATE_LIMIT_WRITES_PER_MINUTE: number = DEFAULTS.rateLimitWritesPerMinute;

  @WholeNumber(1, 100_000_000)
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: number = DEFAULTS.rateLimitFailedAuthPerMinute;

  /** Set: every instance shares one budget in this Redis. Unset: each process counts alone, in memory. */
  @Rules<string | undefined>((value) => (value === undefined ? undefined : redisUrlProblem(value)))
  REDIS_URL?: string;

  /** Prefix of the rate-limit keys in Redis (several deployments may share one Redis). */
  @IsString()
  RATE_LIMIT_REDIS_PREFIX: string = DEFAULTS.rateLimitRedisPrefix;

  // --- Metrics (README "Metrics"): /metrics is served on the public port only behind METRICS_TOKEN,
  // on METRICS_HOST:METRICS_PORT when METRICS_PORT is set, and nowhere when neither is set.

  /** Bearer token required to read /metrics (on the public port, and on METRICS_PORT). */
  @Rules<string | undefined>((token) =>
    token !== undefined && token.length < MIN_METRICS_TOKEN_LENGTH
      ? `must be at least ${MIN_METRICS_TOKEN_LENGTH} characters (got ${token.length}); ${HOW_TO_GENERATE_SECRET}`
      : undefined,
  )
  METRICS_TOKEN?: string;

  /** A second listener serving only /metrics. */
  @WholeNumber(1, 65_535)
  METRICS_PORT?: number;

  @IsString()
  METRICS_HOST: string = DEFAULTS.metricsHost;
}

function redisUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL (expected redis://[user:password@]host:6379[/db])';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return `must start with redis:// or rediss:// (got "${url.protocol}//")`;
  return url.hostname ? undefined : 'has no host';
}

/**
 * Production: the encrypting (first) key must not be guessable. A weak older key is only warned
 * about (by `loadConfig`): it is still needed to decrypt, and re-encrypt, what it protected.
 */
function encryptingKeyWeakness({ keys: [encrypting] }: ParsedEncryptionKeys): string | undefined {
  const weakness = encrypting && keyWeakness(Buffer.from(encrypting.key, 'base64'), encrypting.key);
  return weakness ? `key "${encrypting.id}" (the one that encrypts) ${weakness}; use 32 random bytes (${HOW_TO_GENERATE_KEY})` : undefined;
}

/** Production: anyone who knows the secret can forge session tokens, so refuse values someone could guess. */
function jwtSecretWeakness(secret: string): string | undefined {
  const weakness = textSecretWeakness(secret);
  return weakness && `${weakness}; use a random secret (${HOW_TO_GENERATE_SECRET})`;
}

function databaseUrlProblem(raw: string, production: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL (expected postgres://user:password@host:5432/database)';
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return `must start with postgres:// or postgresql:// (got "${url.protocol}//")`;
  }
  if (!url.hostname) return 'has no host';
  if (url.pathname.replace(/^\//, '') === '') return 'names no database (…/<database> at the end)';
  // Only the placeholder rules: a database password's strength is the database's business, and
  // local trust or peer authentication needs none.
  if (production && url.password && looksLikePlaceholder(decodedPassword(url))) {
    return 'its password is a placeholder; set the real password of the database user';
  }
  return undefined;
}

function decodedPassword(url: URL): string {
  try {
    return decodeURIComponent(url.password);
  } catch {
    return url.password; // a stray "%" the URL parser let through
  }
}

function parseBaseUrls(raw: string): ParsedBaseUrls {
  const baseUrls: Record<string, string> = {};
  const problems: string[] = [];
  for (const entry of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const providerId = entry.slice(0, Math.max(at, 0)).trim();
    const url = entry.slice(at + 1).trim();
    let valid = at > 0 && providerId !== '';
    try {
      valid &&= ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      valid = false;
    }
    if (valid) baseUrls[providerId] = url;
    else problems.push(`"${entry}" must look like providerId=https://host[:port][/path]`);
  }
  return { baseUrls, problems };
}

/** An IPv4/IPv6 address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrRange(entry: string): boolean {
  if (entry.includes('/')) {
    try {
      ipaddr.parseCIDR(entry);
      return true;
    } catch {
      return false;
    }
  }
  return ipaddr.isValid(entry);
}
