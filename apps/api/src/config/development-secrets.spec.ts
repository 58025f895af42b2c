import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from './config-error';
import { developmentSecrets, SECRETS_FILE } from './development-secrets';

describe('developmentSecrets', () => {
  let root: string;
  let dataDir: string;
  let logs: string[];
  const log = (message: string) => void logs.push(message);
  const path = () => join(dataDir, SECRETS_FILE);
  const store = (content: unknown) =>
    writeFileSync(path(), typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
  const problemsOf = (): string[] => {
    try {
      developmentSecrets(dataDir, log);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return [...(error as ConfigError).problems];
    }
    throw new Error('expected a ConfigError');
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dev-secrets-spec-'));
    dataDir = join(root, 'nested', 'data');
    logs = [];
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('generates a 32-byte key and a long JWT secret into a new folder (0700) and file (0600), saying where but not what', () => {
    const secrets = developmentSecrets(dataDir, log);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(path()).mode & 0o777).toBe(0o600);
    expect(secrets.encryptionKeys).toEqual([{ id: 'dev-1', key: expect.any(String) }]);
    expect(Buffer.from(secrets.encryptionKeys[0].key, 'base64')).toHaveLength(32);
    expect(secrets.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(JSON.parse(readFileSync(path(), 'utf8'))).toEqual(secrets);
    expect(logs).toEqual([`Generated development secrets (encryption key and JWT secret) into ${path()}`]);
    expect(logs.join('\n')).not.toContain(secrets.jwtSecret);
    expect(logs.join('\n')).not.toContain(secrets.encryptionKeys[0].key);
  });

  it('reads the same secrets back on later starts, quietly', () => {
    const first = developmentSecrets(dataDir, log);
    logs = [];
    expect(developmentSecrets(dataDir, log)).toEqual(first);
    expect(developmentSecrets(dataDir, log)).toEqual(first);
    expect(logs).toEqual([]);
  });

  it('uses the file another process (the CLI next to npm start) wrote first, and leaves it as it is', () => {
    mkdirSync(dataDir, { recursive: true });
    const theirs = {
      encryptionKeys: [{ id: 'cli-1', key: randomBytes(32).toString('base64') }],
      jwtSecret: randomBytes(48).toString('base64url'),
    };
    store(theirs);
    expect(developmentSecrets(dataDir, log)).toEqual(theirs);
    expect(JSON.parse(readFileSync(path(), 'utf8'))).toEqual(theirs);
    expect(logs).toEqual([]);
  });

  it('refuses a file that is not JSON, naming it and saying how to start over', () => {
    developmentSecrets(dataDir, log);
    store('{nope');
    const message = new RegExp(`^${escape(path())}: not valid JSON \\(.*\\); delete it to generate new development secrets$`);
    expect(problemsOf()).toEqual([expect.stringMatching(message)]);
  });

  it('refuses a file without keys or with a short JWT secret, reporting both at once', () => {
    developmentSecrets(dataDir, log);
    store({ jwtSecret: 'short' });
    expect(problemsOf()).toEqual([`${path()}: has no encryptionKeys`, `${path()}: jwtSecret missing or shorter than 32 characters`]);
  });

  it('checks the stored keys like ENCRYPTION_KEYS, without echoing them', () => {
    developmentSecrets(dataDir, log);
    const short = randomBytes(16).toString('base64');
    store({ encryptionKeys: [{ id: 'dev-1', key: short }], jwtSecret: randomBytes(48).toString('base64url') });
    const problems = problemsOf();
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${escape(path())}: key "dev-1" must be base64 of exactly 32 bytes`))]);
    expect(problems.join('\n')).not.toContain(short);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
