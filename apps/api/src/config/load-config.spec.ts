import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SECRETS_FILE } from './development-secrets';
import { ConfigError, DEFAULTS, loadConfig } from './load-config';

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
    it('JWT_SECRET_PREVIOUS: comma-separated verify-only secrets, absent when unset, each as long as JWT_SECRET must be', () => {
      const old = 'o'.repeat(32);
      const older = 'p'.repeat(40);
      expect(
        load({ JWT_SECRET: JWT, ENCRYPTION_KEYS: `k1:${key()}`, JWT_SECRET_PREVIOUS: ` ${old} , ${older}` }).previousJwtSecrets,
      ).toEqual([old, older]);
      expect(load({ JWT_SECRET: JWT, ENCRYPTION_KEYS: `k1:${key()}` })).not.toHaveProperty('previousJwtSecrets', expect.anything());
      expect(problemsOf({ JWT_SECRET_PREVIOUS: 'short' })).toEqual(['JWT_SECRET_PREVIOUS: every secret must be at least 32 characters']);
    });

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
        RATE_LIMIT_ENABLED: 'false',
        RATE_LIMIT_READS_PER_MINUTE: '100',
        RATE_LIMIT_WRITES_PER_MINUTE: '10',
        RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '5',
        REDIS_URL: 'redis://cache:6379/2',
        RATE_LIMIT_REDIS_PREFIX: 'staging:rl',
        LOG_FORMAT: 'JSON',
        TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,fd00::/8',
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
        rateLimits: {
          enabled: false,
          readsPerMinute: 100,
          writesPerMinute: 10,
          failedAuthPerMinute: 5,
          redisUrl: 'redis://cache:6379/2',
          redisKeyPrefix: 'staging:rl',
        },
        trustProxy: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8'],
        logFormat: 'json',
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
      [{ RATE_LIMIT_ENABLED: 'sometimes' }, /^RATE_LIMIT_ENABLED: must be true or false/],
      [{ RATE_LIMIT_READS_PER_MINUTE: '0' }, /^RATE_LIMIT_READS_PER_MINUTE: must be between 1 and/],
      [{ RATE_LIMIT_WRITES_PER_MINUTE: 'many' }, /^RATE_LIMIT_WRITES_PER_MINUTE: must be a whole number/],
      [{ RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '-3' }, /^RATE_LIMIT_FAILED_AUTH_PER_MINUTE: must be a whole number/],
      [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL: must start with redis:\/\/ or rediss:\/\//],
      [{ REDIS_URL: 'not a url' }, /^REDIS_URL: not a URL/],
      [{ TRUST_PROXY: 'nginx' }, /^TRUST_PROXY: must list IP addresses or CIDR ranges, e.g. 10.0.0.0\/8,127.0.0.1 \(got "nginx"\)/],
      [{ TRUST_PROXY: '10.0.0.0/33' }, /^TRUST_PROXY: must list IP addresses or CIDR ranges/],
      [{ TRUST_PROXY: '127.0.0.1,true' }, /^TRUST_PROXY: .*\(got "true"\)/],
      [{ DATABASE_URL: 'mysql://x/y' }, /^DATABASE_URL: must start with postgres:\/\//],
      [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL: not a URL/],
      [{ DATABASE_URL: 'postgres://host:5432' }, /^DATABASE_URL: names no database/],
      [{ DATABASE_DIRECT_URL: 'postgres://db:5432/app' }, /^DATABASE_DIRECT_URL: set only together with DATABASE_URL/],
      [
        { DATABASE_URL: 'postgres://pgbouncer:6432/app', DATABASE_DIRECT_URL: 'mysql://x/y' },
        /^DATABASE_DIRECT_URL: must start with postgres:\/\//,
      ],
      [{ JWT_SECRET: 'short' }, /^JWT_SECRET: must be at least 32 characters/],
      [{ ENCRYPTION_KEYS: 'nokey' }, /^ENCRYPTION_KEYS: key #1 must look like "<id>:<base64 key>"/],
      [{ ENCRYPTION_KEYS: `k1:${randomBytes(16).toString('base64')}` }, /^ENCRYPTION_KEYS: key "k1" must be base64 of exactly 32 bytes/],
      [{ ENCRYPTION_KEYS: 'k1:!!!notbase64!!!' }, /^ENCRYPTION_KEYS: key "k1" must be base64/],
      [{ ENCRYPTION_KEYS: `bad id:${key()}` }, /^ENCRYPTION_KEYS: key #1 has an invalid id/],
      [{ ENCRYPTION_KEYS: `k1:${key()},k1:${key()}` }, /^ENCRYPTION_KEYS: key id "k1" is listed more than once/],
    ])('refuses malformed %j in every environment', (env, message) => {
      expect(problemsOf(env as Record<string, string>)).toEqual([expect.stringMatching(message)]);
    });

    it('DATABASE_DIRECT_URL: the direct connection next to a pooled DATABASE_URL; absent when unset', () => {
      const pooled = load({ DATABASE_URL: 'postgres://u@pgbouncer:6432/app', DATABASE_DIRECT_URL: 'postgres://u@db:5432/app' });
      expect(pooled).toMatchObject({ databaseUrl: 'postgres://u@pgbouncer:6432/app', databaseDirectUrl: 'postgres://u@db:5432/app' });
      expect(load({ DATABASE_URL: 'postgres://u@db:5432/app' })).not.toHaveProperty('databaseDirectUrl');
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
    const STRONG_JWT = randomBytes(48).toString('base64'); // openssl rand -base64 48
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db:5432/app', JWT_SECRET: STRONG_JWT };

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

  describe('production refuses guessable secrets', () => {
    const base = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db:5432/app' };
    const strongKey = () => `k1:${key()}`;
    const strongJwt = () => randomBytes(48).toString('base64');
    /** The problems of a production start, each checked to name its variable and not echo `secret`. */
    const refusals = (env: Record<string, string>, secret: string, variable: string): string[] => {
      const problems = problemsOf({ ...base, ...env });
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^${variable}: `))]);
      expect(problems.join('\n')).not.toContain(secret);
      return problems;
    };
    const jwtRefusals = (secret: string) => refusals({ JWT_SECRET: secret, ENCRYPTION_KEYS: strongKey() }, secret, 'JWT_SECRET');
    const keyRefusals = (material: string) =>
      refusals({ JWT_SECRET: strongJwt(), ENCRYPTION_KEYS: `k1:${material}` }, material, 'ENCRYPTION_KEYS');

    it.each([
      ['openssl rand -base64 48', () => randomBytes(48).toString('base64')],
      ['openssl rand -base64 32', () => randomBytes(32).toString('base64')],
      ['openssl rand -hex 16 (the shortest accepted)', () => randomBytes(16).toString('hex')],
      ['openssl rand -hex 32', () => randomBytes(32).toString('hex')],
      ['crypto.randomBytes(48).toString("base64url") (what development generates)', () => randomBytes(48).toString('base64url')],
    ])('accepts a strong secret from %s, with a strong key, and logs nothing', (_name, generate) => {
      for (let round = 0; round < 200; round++) {
        const secret = generate();
        const config = loadConfig({ ...base, DATA_DIR: dataDir, JWT_SECRET: secret, ENCRYPTION_KEYS: strongKey() }, { log });
        expect(config.jwtSecret).toBe(secret);
      }
      expect(logs).toEqual([]);
    });

    it('refuses the JWT_SECRET placeholder docker/compose.yaml used to ship', () => {
      expect(jwtRefusals('REPLACE-with-a-random-secret-of-at-least-32-characters')).toEqual([
        expect.stringMatching(
          /^JWT_SECRET: is a published placeholder value; use a random secret \(generate with: openssl rand -base64 48\)$/,
        ),
      ]);
    });

    it.each([
      'change-me-change-me-change-me-change-me',
      'please-CHANGE-ME-before-going-live-2026',
      'ChangeMe-9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      'Qx7#vB2!replace_this_with_your_own_key_Zp',
      'REPLACE_ME_WITH_A_LONG_RANDOM_STRING_NOW',
      'my-placeholder-secret-for-the-jwt-signer',
      '<a random secret of at least 32 characters>',
    ])('refuses JWT_SECRET %j: a placeholder, in any case', (secret) => {
      expect(jwtRefusals(secret)).toEqual([expect.stringMatching(/^JWT_SECRET: (looks like a placeholder|is a published placeholder)/)]);
    });

    it('still refuses a JWT_SECRET shorter than 32 characters, without printing it', () => {
      const short = randomBytes(15).toString('base64'); // 20 characters
      expect(jwtRefusals(short)).toEqual([expect.stringMatching(/^JWT_SECRET: must be at least 32 characters \(got 20\)$/)]);
    });

    it.each([
      ['one character repeated', 'x'.repeat(48)],
      ['few distinct characters', 'abcabcabababcccbbbaaacbacbabcbacbaabc'],
      ['seven distinct characters', '1223334444555556666667777777123456'],
    ])('refuses JWT_SECRET with too little variety (%s)', (_name, secret) => {
      expect(jwtRefusals(secret)).toEqual([
        expect.stringMatching(/^JWT_SECRET: has too little variety \(fewer than 8 distinct characters\)/),
      ]);
    });

    it.each([
      ['a word repeated', 'Secret123!Secret123!Secret123!Secret123!'],
      ['a longer unit repeated twice', 'Tr0ub4dor&3-Hx9q!Tr0ub4dor&3-Hx9q!'],
    ])('refuses JWT_SECRET that repeats one pattern (%s)', (_name, secret) => {
      expect(jwtRefusals(secret)).toEqual([expect.stringMatching(/^JWT_SECRET: repeats one short pattern/)]);
    });

    it.each([
      ['the alphabet', 'abcdefghijklmnopqrstuvwxyz0123456789'],
      ['a descending run', 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210'],
      ['keyboard-free counting', '0123456789:;<=>?@ABCDEFGHIJKLMNOPQRS'],
    ])('refuses JWT_SECRET that is mostly a run (%s)', (_name, secret) => {
      expect(jwtRefusals(secret)).toEqual([expect.stringMatching(/^JWT_SECRET: is mostly a run or sequence of characters/)]);
    });

    it.each([
      ['a diceware-style passphrase', 'correct-horse-battery-staple-orange-window'],
      ['a passphrase with spaces', 'correct horse battery staple and more words'],
      ['a famous sentence', 'the quick brown fox jumps over the lazy dog'],
      ['a nursery rhyme', 'mary had a little lamb whose fleece was white'],
      ['l33t spelling', 'Sup3rS3cr3tK3yF0rN0vuInt3gr4t10nS3rv1c3'],
      ['a password with decorations', 'Tr0ub4dor&3-is-my-favourite-password-ever'],
      ['words run together', 'iloveyousomuchmydarlingsweetheart2026'],
      ['a descriptive name', 'MyCompanyJwtSecretForProductionUse2026!'],
      ['diceware words', 'abandon ability able about above absent absorb'],
    ])('refuses JWT_SECRET made of dictionary words (%s), without printing it', (_name, secret) => {
      expect(jwtRefusals(secret)).toEqual([
        expect.stringMatching(
          /^JWT_SECRET: is made of words or patterns a person would type \(an estimated \d\.\d bits per character, random generator output has at least 2\.75\); use a random secret/,
        ),
      ]);
    });

    it.each([
      ['all-zero bytes', Buffer.alloc(32)],
      ['all-equal bytes', Buffer.alloc(32, 0xa7)],
      ['a 4-byte pattern repeated', Buffer.from('deadbeef'.repeat(8), 'hex')],
      ['a 16-byte random block repeated', randomBytes(16).toString('hex').repeat(2)],
    ])('refuses an ENCRYPTION_KEYS key that decodes to %s', (_name, bytes) => {
      const material = (typeof bytes === 'string' ? Buffer.from(bytes, 'hex') : bytes).toString('base64');
      expect(keyRefusals(material)).toEqual([
        expect.stringMatching(/^ENCRYPTION_KEYS: key "k1" \(the one that encrypts\) (has too little variety|repeats one short pattern)/),
      ]);
    });

    it('refuses an ENCRYPTION_KEYS key of counting bytes (00 01 02 … 1f)', () => {
      const material = Buffer.from(Array.from({ length: 32 }, (_, index) => index)).toString('base64');
      expect(keyRefusals(material)).toEqual([
        expect.stringMatching(/^ENCRYPTION_KEYS: key "k1" \(the one that encrypts\) is mostly a run/),
      ]);
    });

    it.each(['my-very-secret-encryption-key-32', 'Tr0ub4dor&3 horse battery staple'])(
      'refuses an ENCRYPTION_KEYS key that is the base64 of typed text (%j)',
      (text) => {
        const material = Buffer.from(text, 'utf8').toString('base64');
        expect(Buffer.from(material, 'base64')).toHaveLength(32);
        expect(keyRefusals(material)).toEqual([
          expect.stringMatching(/^ENCRYPTION_KEYS: key "k1" \(the one that encrypts\) decodes to printable text, not random bytes/),
        ]);
      },
    );

    it('refuses a key whose base64 spells a placeholder word, in any case', () => {
      // 43 base64 characters + "=" decode to 32 bytes; the text itself reads "REPLACE…".
      const material = `REPLACEwithBase64of32randomBytes${randomBytes(8).toString('base64').replace(/[+/=]/g, 'A').slice(0, 11)}=`;
      expect(Buffer.from(material, 'base64')).toHaveLength(32);
      expect(keyRefusals(material)).toEqual([
        expect.stringMatching(/^ENCRYPTION_KEYS: key "k1" \(the one that encrypts\) looks like a placeholder/),
      ]);
    });

    it('refuses the ENCRYPTION_KEYS placeholder docker/compose.yaml used to ship', () => {
      const placeholder = 'REPLACE-with-base64-of-32-random-bytes=';
      expect(keyRefusals(placeholder)).toEqual([expect.stringMatching(/^ENCRYPTION_KEYS: key "k1" must be base64 of exactly 32 bytes/)]);
    });

    it('only warns about a weak older key: it is still needed to decrypt, and re-encrypt, what it protected', () => {
      const weak = Buffer.alloc(32).toString('base64');
      const config = load({ ...base, JWT_SECRET: strongJwt(), ENCRYPTION_KEYS: `k2:${key()},k1:${weak}` });
      expect(config.encryptionKeys.map((entry) => entry.id)).toEqual(['k2', 'k1']);
      expect(logs).toEqual([
        expect.stringMatching(/^ENCRYPTION_KEYS: older key "k1" has too little variety.*run the reencrypt command, then remove it$/),
      ]);
      expect(logs.join('\n')).not.toContain(weak);
    });

    it('refuses the postgres password placeholder docker/compose.yaml used to ship in DATABASE_URL', () => {
      const problems = problemsOf({
        ...base,
        DATABASE_URL: 'postgres://integrations:change-me-postgres-password@postgres:5432/integrations',
        JWT_SECRET: strongJwt(),
        ENCRYPTION_KEYS: strongKey(),
      });
      expect(problems).toEqual(['DATABASE_URL: its password is a placeholder; set the real password of the database user']);
    });

    it('reports every weak secret at once', () => {
      const problems = problemsOf({ ...base, JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}` });
      expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['ENCRYPTION_KEYS', 'JWT_SECRET']);
    });

    it('leaves development and test alone: explicit weak values still start there', () => {
      for (const NODE_ENV of ['development', 'test']) {
        const config = load({ NODE_ENV, JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}` });
        expect(config.jwtSecret).toBe('x'.repeat(40));
      }
    });
  });

  describe('docker/compose.yaml', () => {
    const compose = readFileSync(resolve(__dirname, '../../../../docker/compose.yaml'), 'utf8');
    const setting = (name: string): string => {
      const line = compose.split('\n').find((text) => new RegExp(`^\\s+${name}:`).test(text));
      if (!line) throw new Error(`docker/compose.yaml sets no ${name}`);
      return line.slice(line.indexOf(':') + 1).trim();
    };

    it.each(['ENCRYPTION_KEYS', 'JWT_SECRET', 'POSTGRES_PASSWORD'])(
      'takes %s from the environment and refuses to start without it',
      (name) => {
        expect(setting(name)).toMatch(new RegExp(`^"\\$\\{${name}:\\?[^}]+\\}"$`));
      },
    );

    it('builds DATABASE_URL around the POSTGRES_PASSWORD of the environment', () => {
      // Through PgBouncer since issue #13 (DATABASE_DIRECT_URL goes to postgres: docker-compose.spec.ts).
      expect(setting('DATABASE_URL')).toMatch(/^"postgres:\/\/integrations:\$\{POSTGRES_PASSWORD:\?[^}]+\}@pgbouncer:5432\/integrations"$/);
    });

    it('holds no placeholder secret', () => {
      expect(compose).not.toMatch(/change-?me|REPLACE-with/i);
    });
  });
});
