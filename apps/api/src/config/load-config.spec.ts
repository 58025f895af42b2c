import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULTS, loadConfig, SECRETS_FILE } from './load-config';

const key = () => randomBytes(32).toString('base64');
const JWT = 'j'.repeat(32);

describe('loadConfig', () => {
  let dataDir: string;
  let logs: string[];
  const log = (message: string) => void logs.push(message);
  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env }, { log });
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      load(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return [...(error as ConfigError).problems];
    }
    throw new Error('expected a ConfigError');
  };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'config-spec-'));
    logs = [];
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('defaults (development)', () => {
    it('fills every default and leaves databaseUrl unset (embedded PostgreSQL)', () => {
      const config = load({});
      expect(config).toMatchObject({
        nodeEnv: 'development',
        host: '127.0.0.1',
        port: 3000,
        dataDir,
        bodyLimitBytes: 1_048_576,
        sessionTokenTtlSeconds: 86_400,
        apiKeyCacheTtlMs: 30_000,
        database: { poolSize: 10, connectTimeoutMs: 2_000, statementTimeoutMs: 5_000 },
        shutdownTimeoutMs: 10_000,
        novuDemoProviders: { email: false, sms: false },
        outboundUrls: { allow: [], refuseUnresolvable: false },
        credentialsCheck: { timeoutMs: 5_000, baseUrls: {} },
        logLevels: ['fatal', 'error', 'warn', 'log'],
      });
      expect(config.databaseUrl).toBeUndefined();
    });

    it('resolves DATA_DIR against cwd, ./.data by default', () => {
      const config = loadConfig({ JWT_SECRET: JWT, ENCRYPTION_KEYS: `k1:${key()}` }, { cwd: dataDir, log });
      expect(config.dataDir).toBe(join(dataDir, DEFAULTS.dataDir));
    });

    it('generates secrets once into <DATA_DIR>/secrets.json (0600), reuses them and never logs them', () => {
      const first = load({});
      const path = join(dataDir, SECRETS_FILE);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(first.encryptionKeys).toHaveLength(1);
      expect(Buffer.from(first.encryptionKeys[0].key, 'base64')).toHaveLength(32);
      expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);

      const second = load({});
      expect(second.encryptionKeys).toEqual(first.encryptionKeys);
      expect(second.jwtSecret).toBe(first.jwtSecret);

      const output = logs.join('\n');
      expect(output).toContain(path);
      expect(output).not.toContain(first.jwtSecret);
      expect(output).not.toContain(first.encryptionKeys[0].key);
    });

    it('prefers the environment over the stored secrets', () => {
      load({});
      const mine = key();
      const config = load({ ENCRYPTION_KEYS: `mine:${mine}`, JWT_SECRET: JWT });
      expect(config.encryptionKeys).toEqual([{ id: 'mine', key: mine }]);
      expect(config.jwtSecret).toBe(JWT);
    });

    it('refuses a corrupted secrets file with a message naming it', () => {
      writeFileSync(join(dataDir, SECRETS_FILE), '{nope');
      expect(() => load({})).toThrow(/secrets\.json: not valid JSON/);
    });
  });

  describe('values', () => {
    it('parses every variable', () => {
      const k1 = key();
      const k0 = key();
      const config = load({
        NODE_ENV: 'test',
        HOST: '0.0.0.0',
        PORT: '8080',
        DATABASE_URL: 'postgres://u:p@db:5432/integrations',
        BODY_LIMIT: '2048',
        ENCRYPTION_KEYS: `k1:${k1}, k0:${k0}`,
        JWT_SECRET: JWT,
        SESSION_TOKEN_TTL: '60',
        API_KEY_CACHE_TTL_MS: '0',
        DATABASE_POOL_SIZE: '25',
        DATABASE_CONNECT_TIMEOUT_MS: '500',
        DATABASE_STATEMENT_TIMEOUT_MS: '15000',
        SHUTDOWN_TIMEOUT_MS: '0',
        NOVU_EMAIL_INTEGRATION_API_KEY: 'x',
        NOVU_SMS_INTEGRATION_ACCOUNT_SID: 'y',
        OUTBOUND_URL_ALLOW: 'smtp.corp.example, 10.20.0.0/16',
        OUTBOUND_URL_REFUSE_UNRESOLVABLE: 'true',
        CREDENTIALS_CHECK_TIMEOUT_MS: '2500',
        CREDENTIALS_CHECK_BASE_URLS: 'sendgrid=http://127.0.0.1:4010,twilio=https://twilio.internal/api',
        LOG_LEVEL: 'warn',
      });
      expect(config).toEqual({
        nodeEnv: 'test',
        host: '0.0.0.0',
        port: 8080,
        databaseUrl: 'postgres://u:p@db:5432/integrations',
        dataDir,
        bodyLimitBytes: 2048,
        encryptionKeys: [
          { id: 'k1', key: k1 },
          { id: 'k0', key: k0 },
        ],
        jwtSecret: JWT,
        sessionTokenTtlSeconds: 60,
        apiKeyCacheTtlMs: 0,
        database: { poolSize: 25, connectTimeoutMs: 500, statementTimeoutMs: 15_000 },
        shutdownTimeoutMs: 0,
        novuDemoProviders: { email: true, sms: true },
        outboundUrls: { allow: ['smtp.corp.example', '10.20.0.0/16'], refuseUnresolvable: true },
        credentialsCheck: {
          timeoutMs: 2500,
          baseUrls: { sendgrid: 'http://127.0.0.1:4010', twilio: 'https://twilio.internal/api' },
        },
        logLevels: ['fatal', 'error', 'warn'],
      });
      expect(logs).toEqual([]);
    });

    it.each([
      [{ PORT: 'abc' }, /^PORT: must be a whole number/],
      [{ PORT: '70000' }, /^PORT: must be between 0 and 65535/],
      [{ BODY_LIMIT: '0' }, /^BODY_LIMIT: /],
      [{ SESSION_TOKEN_TTL: '-5' }, /^SESSION_TOKEN_TTL: /],
      [{ API_KEY_CACHE_TTL_MS: '1.5' }, /^API_KEY_CACHE_TTL_MS: /],
      [{ DATABASE_POOL_SIZE: '0' }, /^DATABASE_POOL_SIZE: must be between 1 and 1000/],
      [{ DATABASE_POOL_SIZE: 'ten' }, /^DATABASE_POOL_SIZE: must be a whole number/],
      [{ DATABASE_CONNECT_TIMEOUT_MS: '50' }, /^DATABASE_CONNECT_TIMEOUT_MS: must be between 100 and 600000/],
      [{ DATABASE_CONNECT_TIMEOUT_MS: '2s' }, /^DATABASE_CONNECT_TIMEOUT_MS: must be a whole number/],
      [{ DATABASE_STATEMENT_TIMEOUT_MS: '0' }, /^DATABASE_STATEMENT_TIMEOUT_MS: must be between 100 and 3600000/],
      [{ SHUTDOWN_TIMEOUT_MS: '-1' }, /^SHUTDOWN_TIMEOUT_MS: must be a whole number/],
      [{ SHUTDOWN_TIMEOUT_MS: '600001' }, /^SHUTDOWN_TIMEOUT_MS: must be between 0 and 600000/],
      [{ NODE_ENV: 'staging' }, /^NODE_ENV: must be one of development, production, test/],
      [{ CREDENTIALS_CHECK_TIMEOUT_MS: '50' }, /^CREDENTIALS_CHECK_TIMEOUT_MS: must be between 100 and 120000/],
      [{ CREDENTIALS_CHECK_BASE_URLS: 'sendgrid' }, /^CREDENTIALS_CHECK_BASE_URLS: "sendgrid" must look like/],
      [{ CREDENTIALS_CHECK_BASE_URLS: 'sendgrid=ftp://x' }, /^CREDENTIALS_CHECK_BASE_URLS: "sendgrid=ftp:\/\/x" must look like/],
      [{ OUTBOUND_URL_REFUSE_UNRESOLVABLE: 'maybe' }, /^OUTBOUND_URL_REFUSE_UNRESOLVABLE: must be true or false/],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
      [{ DATABASE_URL: 'mysql://x/y' }, /^DATABASE_URL: must start with postgres:\/\//],
      [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL: not a URL/],
      [{ DATABASE_URL: 'postgres://host:5432' }, /^DATABASE_URL: names no database/],
      [{ JWT_SECRET: 'short' }, /^JWT_SECRET: must be at least 32 characters/],
      [{ ENCRYPTION_KEYS: 'nokey' }, /^ENCRYPTION_KEYS: key #1 must look like "<id>:<base64 key>"/],
      [{ ENCRYPTION_KEYS: `k1:${randomBytes(16).toString('base64')}` }, /^ENCRYPTION_KEYS: key "k1" must be base64 of exactly 32 bytes/],
      [{ ENCRYPTION_KEYS: 'k1:!!!notbase64!!!' }, /^ENCRYPTION_KEYS: key "k1" must be base64/],
      [{ ENCRYPTION_KEYS: `bad id:${key()}` }, /^ENCRYPTION_KEYS: key #1 has an invalid id/],
      [{ ENCRYPTION_KEYS: `k1:${key()},k1:${key()}` }, /^ENCRYPTION_KEYS: key id "k1" is listed more than once/],
    ])('refuses malformed %j in every environment', (env, message) => {
      expect(problemsOf(env as Record<string, string>)).toEqual([expect.stringMatching(message)]);
    });

    it('never echoes key material in its messages', () => {
      const short = randomBytes(16).toString('base64');
      expect(problemsOf({ ENCRYPTION_KEYS: `k1:${short}` }).join('\n')).not.toContain(short);
    });

    it('reports every problem at once', () => {
      expect(problemsOf({ PORT: 'x', JWT_SECRET: 'short', LOG_LEVEL: 'nope' })).toHaveLength(3);
    });
  });

  describe('production', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db:5432/app', JWT_SECRET: JWT };

    it('starts with every secret given and writes no secrets file', () => {
      const config = load({ ...production, ENCRYPTION_KEYS: `k1:${key()}` });
      expect(config.nodeEnv).toBe('production');
      expect(() => readFileSync(join(dataDir, SECRETS_FILE))).toThrow();
    });

    it.each(['ENCRYPTION_KEYS', 'JWT_SECRET', 'DATABASE_URL'])('stops when %s is missing, naming it', (name) => {
      const env: Record<string, string> = { ...production, ENCRYPTION_KEYS: `k1:${key()}` };
      delete env[name];
      expect(problemsOf(env)).toEqual([expect.stringMatching(new RegExp(`^${name}: required in production`))]);
    });

    it('treats an empty value as missing', () => {
      expect(problemsOf({ ...production, ENCRYPTION_KEYS: '  ' })).toEqual([expect.stringMatching(/^ENCRYPTION_KEYS: required/)]);
    });

    it('puts every problem in the error message', () => {
      expect(() => load({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL[\s\S]*ENCRYPTION_KEYS[\s\S]*JWT_SECRET/);
    });
  });
});
