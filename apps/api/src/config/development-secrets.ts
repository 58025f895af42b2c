import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EncryptionKey } from '@app/integrations';
import { ConfigError } from './config-error';
import { KEY_BYTES, MIN_JWT_SECRET_LENGTH, parseEncryptionKeys } from './secret-formats';

/** The file under DATA_DIR that holds the development secrets (README "Configuration"). */
export const SECRETS_FILE = 'secrets.json';

export interface DevelopmentSecrets {
  readonly encryptionKeys: readonly EncryptionKey[];
  readonly jwtSecret: string;
}

/**
 * The development secrets of `<dataDir>/secrets.json`: generated once (the folder 0700, the file
 * 0600), read back on every later start. Outside production only; `loadConfig` decides that.
 *
 * The file is created with `wx` (fail if it exists), so when two processes start at once (`npm
 * start` and the CLI) exactly one writes it and the other reads what the first wrote: both end up
 * with the same secrets. `log` hears where a new file was written, never the secrets themselves.
 */
export function developmentSecrets(dataDir: string, log: (message: string) => void): DevelopmentSecrets {
  const path = join(dataDir, SECRETS_FILE);
  const fresh: DevelopmentSecrets = {
    encryptionKeys: [{ id: 'dev-1', key: randomBytes(KEY_BYTES).toString('base64') }],
    jwtSecret: randomBytes(48).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Written before: by an earlier start, or just now by another process.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readSecrets(path);
    throw error;
  }
  chmodSync(path, 0o600); // `mode` above is filtered by the umask
  log(`Generated development secrets (encryption key and JWT secret) into ${path}`);
  return fresh;
}

/** Checks the stored secrets as the environment's would be; no message echoes them. */
function readSecrets(path: string): DevelopmentSecrets {
  let stored: { encryptionKeys?: unknown; jwtSecret?: unknown };
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as typeof stored;
  } catch (error) {
    throw new ConfigError([`${path}: not valid JSON (${(error as Error).message}); delete it to generate new development secrets`]);
  }
  const problems: string[] = [];
  const entries = Array.isArray(stored?.encryptionKeys) ? (stored.encryptionKeys as (Partial<EncryptionKey> | null)[]) : undefined;
  const parsed = entries && parseEncryptionKeys(entries.map((entry) => `${entry?.id}:${entry?.key}`).join(','));
  problems.push(...(parsed?.problems ?? []).map((problem) => `${path}: ${problem}`));
  if (!parsed?.keys.length && !problems.length) problems.push(`${path}: has no encryptionKeys`);
  const { jwtSecret } = stored ?? {};
  if (typeof jwtSecret !== 'string' || jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
    problems.push(`${path}: jwtSecret missing or shorter than ${MIN_JWT_SECRET_LENGTH} characters`);
  }
  if (problems.length) throw new ConfigError(problems);
  return { encryptionKeys: parsed!.keys, jwtSecret: jwtSecret as string };
}
