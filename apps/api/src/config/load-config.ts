import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EncryptionKey } from '@app/integrations';
import { AppConfig } from './app-config';
import { keyWeakness, looksLikePlaceholder, textSecretWeakness } from './secret-strength';

/**
 * The environment, validated once (see README "Configuration"). `databaseUrl` is absent when
 * DATABASE_URL is unset outside production: the caller then starts the embedded PostgreSQL.
 */
export type EnvConfig = Omit<AppConfig, 'databaseUrl'> & { readonly databaseUrl?: string };

export type LogLevel = AppConfig['logLevels'][number];

/** Every problem of the environment at once; each line names the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Base for a relative DATA_DIR. Default process.cwd(). */
  readonly cwd?: string;
  /** Where notices about generated development secrets go. Default console.error. */
  readonly log?: (message: string) => void;
}

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
} as const;

const NODE_ENVS = ['development', 'production', 'test'] as const;
/** Most severe first: LOG_LEVEL=warn enables fatal, error and warn. */
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const KEY_BYTES = 32;
const MIN_JWT_SECRET_LENGTH = 32;
export const SECRETS_FILE = 'secrets.json';

interface StoredSecrets {
  readonly encryptionKeys: EncryptionKey[];
  readonly jwtSecret: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): EnvConfig {
  const log = options.log ?? ((message: string) => console.error(message));
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };

  const nodeEnvRaw = value('NODE_ENV') ?? DEFAULTS.nodeEnv;
  const nodeEnv = (NODE_ENVS as readonly string[]).includes(nodeEnvRaw) ? (nodeEnvRaw as AppConfig['nodeEnv']) : undefined;
  if (!nodeEnv) problems.push(`NODE_ENV: must be one of ${NODE_ENVS.join(', ')} (got "${nodeEnvRaw}")`);
  const production = nodeEnv === 'production';

  const host = value('HOST') ?? DEFAULTS.host;
  const port = integer('PORT', value('PORT'), DEFAULTS.port, 0, 65_535, problems);
  const bodyLimitBytes = integer('BODY_LIMIT', value('BODY_LIMIT'), DEFAULTS.bodyLimitBytes, 1, 1_073_741_824, problems);
  const sessionTokenTtlSeconds = integer('SESSION_TOKEN_TTL', value('SESSION_TOKEN_TTL'), DEFAULTS.sessionTokenTtlSeconds, 1, 31_536_000, problems);
  const apiKeyCacheTtlMs = integer('API_KEY_CACHE_TTL_MS', value('API_KEY_CACHE_TTL_MS'), DEFAULTS.apiKeyCacheTtlMs, 0, 86_400_000, problems);
  const databasePoolSize = integer('DATABASE_POOL_SIZE', value('DATABASE_POOL_SIZE'), DEFAULTS.databasePoolSize, 1, 1_000, problems);
  const databaseConnectTimeoutMs = integer(
    'DATABASE_CONNECT_TIMEOUT_MS',
    value('DATABASE_CONNECT_TIMEOUT_MS'),
    DEFAULTS.databaseConnectTimeoutMs,
    100,
    600_000,
    problems,
  );
  const databaseStatementTimeoutMs = integer(
    'DATABASE_STATEMENT_TIMEOUT_MS',
    value('DATABASE_STATEMENT_TIMEOUT_MS'),
    DEFAULTS.databaseStatementTimeoutMs,
    100,
    3_600_000,
    problems,
  );
  const shutdownTimeoutMs = integer('SHUTDOWN_TIMEOUT_MS', value('SHUTDOWN_TIMEOUT_MS'), DEFAULTS.shutdownTimeoutMs, 0, 600_000, problems);
  const dataDir = resolve(options.cwd ?? process.cwd(), value('DATA_DIR') ?? DEFAULTS.dataDir);
  const credentialsCheckTimeoutMs = integer(
    'CREDENTIALS_CHECK_TIMEOUT_MS',
    value('CREDENTIALS_CHECK_TIMEOUT_MS'),
    DEFAULTS.credentialsCheckTimeoutMs,
    100,
    120_000,
    problems,
  );
  const credentialsCheckBaseUrls = parseBaseUrls(value('CREDENTIALS_CHECK_BASE_URLS'), problems);
  const outboundAllow = (value('OUTBOUND_URL_ALLOW') ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  const refuseUnresolvable = boolean('OUTBOUND_URL_REFUSE_UNRESOLVABLE', value('OUTBOUND_URL_REFUSE_UNRESOLVABLE'), false, problems);

  const databaseUrl = value('DATABASE_URL');
  if (databaseUrl !== undefined) {
    problems.push(...databaseUrlProblems(databaseUrl, production));
  } else if (production) {
    problems.push('DATABASE_URL: required in production (postgres://user:password@host:5432/database)');
  }

  const logLevelRaw = (value('LOG_LEVEL') ?? DEFAULTS.logLevel).toLowerCase();
  const logLevelIndex = LOG_LEVELS.indexOf(logLevelRaw as LogLevel);
  if (logLevelIndex < 0) problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')} (got "${logLevelRaw}")`);
  const logLevels = LOG_LEVELS.slice(0, Math.max(logLevelIndex, 0) + 1);

  const keysRaw = value('ENCRYPTION_KEYS');
  let encryptionKeys = keysRaw === undefined ? undefined : parseEncryptionKeys(keysRaw, 'ENCRYPTION_KEYS', problems);
  if (keysRaw === undefined && production) {
    problems.push(`ENCRYPTION_KEYS: required in production ("k1:<base64 of 32 random bytes>[,k0:<older key>]"; ${HOW_TO_GENERATE_KEY})`);
  } else if (encryptionKeys && production) {
    weakKeyProblems(encryptionKeys, problems, log);
  }

  let jwtSecret = value('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
    problems.push(`JWT_SECRET: must be at least ${MIN_JWT_SECRET_LENGTH} characters (got ${jwtSecret.length})`);
  } else if (jwtSecret === undefined && production) {
    problems.push(`JWT_SECRET: required in production (at least ${MIN_JWT_SECRET_LENGTH} characters; ${HOW_TO_GENERATE_SECRET})`);
  } else if (jwtSecret !== undefined && production) {
    // Anyone who knows the secret can forge session tokens: refuse values someone could guess.
    const weakness = textSecretWeakness(jwtSecret);
    if (weakness) problems.push(`JWT_SECRET: ${weakness}; use a random secret (${HOW_TO_GENERATE_SECRET})`);
  }

  if (problems.length) throw new ConfigError(problems);

  if (!production && (keysRaw === undefined || jwtSecret === undefined)) {
    const secrets = developmentSecrets(dataDir, log);
    const generated: string[] = [];
    if (keysRaw === undefined) {
      encryptionKeys = secrets.encryptionKeys;
      generated.push('ENCRYPTION_KEYS');
    }
    if (jwtSecret === undefined) {
      jwtSecret = secrets.jwtSecret;
      generated.push('JWT_SECRET');
    }
    log(`${generated.join(' and ')} not set: using the development secrets in ${join(dataDir, SECRETS_FILE)} (never use them in production)`);
  }

  return {
    nodeEnv: nodeEnv!,
    host,
    port,
    databaseUrl,
    dataDir,
    bodyLimitBytes,
    encryptionKeys: encryptionKeys!,
    jwtSecret: jwtSecret!,
    sessionTokenTtlSeconds,
    apiKeyCacheTtlMs,
    database: {
      poolSize: databasePoolSize,
      connectTimeoutMs: databaseConnectTimeoutMs,
      statementTimeoutMs: databaseStatementTimeoutMs,
    },
    shutdownTimeoutMs,
    novuDemoProviders: {
      email: value('NOVU_EMAIL_INTEGRATION_API_KEY') !== undefined,
      sms: value('NOVU_SMS_INTEGRATION_ACCOUNT_SID') !== undefined,
    },
    outboundUrls: { allow: outboundAllow, refuseUnresolvable },
    credentialsCheck: { timeoutMs: credentialsCheckTimeoutMs, baseUrls: credentialsCheckBaseUrls },
    logLevels,
  };
}

const HOW_TO_GENERATE_KEY = 'generate with: openssl rand -base64 32, or node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64\'))"';
const HOW_TO_GENERATE_SECRET = 'generate with: openssl rand -base64 48';

/**
 * Production: the encrypting (first) key must not be guessable. An older key that is weak is only
 * warned about: it is still needed to decrypt (and re-encrypt) what it protected.
 */
function weakKeyProblems(keys: readonly EncryptionKey[], problems: string[], log: (message: string) => void): void {
  keys.forEach((entry, index) => {
    const weakness = keyWeakness(Buffer.from(entry.key, 'base64'), entry.key);
    if (!weakness) return;
    if (index === 0) {
      problems.push(`ENCRYPTION_KEYS: key "${entry.id}" (the one that encrypts) ${weakness}; use 32 random bytes (${HOW_TO_GENERATE_KEY})`);
    } else {
      log(
        `ENCRYPTION_KEYS: older key "${entry.id}" ${weakness}; it only decrypts now: run the reencrypt command, then remove it`,
      );
    }
  });
}

/** `kid:base64key,kid2:base64key` → keys; the first encrypts. */
export function parseEncryptionKeys(raw: string, name: string, problems: string[]): EncryptionKey[] {
  const keys: EncryptionKey[] = [];
  const entries = raw.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const position = `key #${index + 1}`;
    const separator = entry.indexOf(':');
    if (separator <= 0) {
      problems.push(`${name}: ${position} must look like "<id>:<base64 key>"`);
      return;
    }
    const id = entry.slice(0, separator).trim();
    const key = entry.slice(separator + 1).trim();
    if (!KEY_ID.test(id)) {
      problems.push(`${name}: ${position} has an invalid id (1-64 characters of A-Z a-z 0-9 . _ -)`);
    } else if (keys.some((existing) => existing.id === id)) {
      problems.push(`${name}: key id "${id}" is listed more than once`);
    } else if (!BASE64.test(key) || Buffer.from(key, 'base64').length !== KEY_BYTES) {
      // Never echo key material.
      problems.push(`${name}: key "${id}" must be base64 of exactly ${KEY_BYTES} bytes (${HOW_TO_GENERATE_KEY})`);
    } else {
      keys.push({ id, key });
    }
  });
  return keys;
}

function databaseUrlProblems(raw: string, production: boolean): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return ['DATABASE_URL: not a URL (expected postgres://user:password@host:5432/database)'];
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return [`DATABASE_URL: must start with postgres:// or postgresql:// (got "${url.protocol}//")`];
  }
  if (!url.hostname) return ['DATABASE_URL: has no host'];
  if (url.pathname.replace(/^\//, '') === '') return ['DATABASE_URL: names no database (…/<database> at the end)'];
  // Only the placeholder rules: a database password's strength is the database's business, and
  // local trust or peer authentication needs none.
  if (production && url.password && looksLikePlaceholder(decodedPassword(url))) {
    return ['DATABASE_URL: its password is a placeholder; set the real password of the database user'];
  }
  return [];
}

function decodedPassword(url: URL): string {
  try {
    return decodeURIComponent(url.password);
  } catch {
    return url.password; // a stray "%" the URL parser let through
  }
}

/** `sendgrid=http://127.0.0.1:4010,twilio=https://twilio.internal` → provider id → base URL. */
function parseBaseUrls(raw: string | undefined, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of (raw ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const at = entry.indexOf('=');
    const providerId = entry.slice(0, Math.max(at, 0)).trim();
    const url = entry.slice(at + 1).trim();
    let valid = at > 0 && providerId !== '';
    try {
      valid &&= ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      valid = false;
    }
    if (!valid) {
      problems.push(`CREDENTIALS_CHECK_BASE_URLS: "${entry}" must look like providerId=https://host[:port][/path]`);
      continue;
    }
    out[providerId] = url;
  }
  return out;
}

function boolean(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  problems.push(`${name}: must be true or false (got "${raw}")`);
  return fallback;
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) {
    problems.push(`${name}: must be a whole number (got "${raw}")`);
    return fallback;
  }
  const parsed = Number(raw);
  if (parsed < min || parsed > max) {
    problems.push(`${name}: must be between ${min} and ${max} (got ${parsed})`);
    return fallback;
  }
  return parsed;
}

/** Reads `<dataDir>/secrets.json`, creating it (mode 0600) with fresh secrets the first time. */
function developmentSecrets(dataDir: string, log: (message: string) => void): StoredSecrets {
  const path = join(dataDir, SECRETS_FILE);
  if (existsSync(path)) {
    let stored: Partial<StoredSecrets>;
    try {
      stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredSecrets>;
    } catch (error) {
      throw new ConfigError([`${path}: not valid JSON (${(error as Error).message}); delete it to generate new development secrets`]);
    }
    const problems: string[] = [];
    const keys = Array.isArray(stored.encryptionKeys)
      ? parseEncryptionKeys(stored.encryptionKeys.map((key) => `${key?.id}:${key?.key}`).join(','), path, problems)
      : [];
    if (!keys.length && !problems.length) problems.push(`${path}: has no encryptionKeys`);
    if (typeof stored.jwtSecret !== 'string' || stored.jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
      problems.push(`${path}: jwtSecret missing or shorter than ${MIN_JWT_SECRET_LENGTH} characters`);
    }
    if (problems.length) throw new ConfigError(problems);
    return { encryptionKeys: keys, jwtSecret: stored.jwtSecret! };
  }
  const secrets: StoredSecrets = {
    encryptionKeys: [{ id: 'dev-1', key: randomBytes(KEY_BYTES).toString('base64') }],
    jwtSecret: randomBytes(48).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process (e.g. the CLI next to `npm start`) wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return developmentSecrets(dataDir, log);
    throw error;
  }
  chmodSync(path, 0o600);
  log(`Generated development secrets (encryption key and JWT secret) into ${path}`);
  return secrets;
}
