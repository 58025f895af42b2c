import type { EncryptionKey } from '@app/integrations';

/** The formats of the two secrets, shared by the environment schema and the development secrets file. */

export const KEY_BYTES = 32;
export const MIN_JWT_SECRET_LENGTH = 32;
export const HOW_TO_GENERATE_KEY =
  "generate with: openssl rand -base64 32, or node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"";
export const HOW_TO_GENERATE_SECRET = 'generate with: openssl rand -base64 48';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

export interface ParsedEncryptionKeys {
  /** The well-formed keys, in order: the first encrypts. */
  readonly keys: readonly EncryptionKey[];
  /** One line per malformed entry, without the variable's name; never contains key material. */
  readonly problems: readonly string[];
}

/** `kid:base64key,kid2:base64key` → keys; the first encrypts. */
export function parseEncryptionKeys(raw: string): ParsedEncryptionKeys {
  const keys: EncryptionKey[] = [];
  const problems: string[] = [];
  raw
    .split(',')
    .map((entry) => entry.trim())
    .forEach((entry, index) => {
      const position = `key #${index + 1}`;
      const separator = entry.indexOf(':');
      if (separator <= 0) {
        problems.push(`${position} must look like "<id>:<base64 key>"`);
        return;
      }
      const id = entry.slice(0, separator).trim();
      const key = entry.slice(separator + 1).trim();
      if (!KEY_ID.test(id)) {
        problems.push(`${position} has an invalid id (1-64 characters of A-Z a-z 0-9 . _ -)`);
      } else if (keys.some((existing) => existing.id === id)) {
        problems.push(`key id "${id}" is listed more than once`);
      } else if (!BASE64.test(key) || Buffer.from(key, 'base64').length !== KEY_BYTES) {
        // Never echo key material.
        problems.push(`key "${id}" must be base64 of exactly ${KEY_BYTES} bytes (${HOW_TO_GENERATE_KEY})`);
      } else {
        keys.push({ id, key });
      }
    });
  return { keys, problems };
}
