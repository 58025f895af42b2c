import { createHash, randomBytes } from 'node:crypto';

/** A new API key secret: 32 random bytes as 64 lower-case hex characters. */
export function generateApiKeySecret(): string {
  return randomBytes(32).toString('hex');
}

/** The only form of a secret that is stored: lower-case hex SHA-256. */
export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
