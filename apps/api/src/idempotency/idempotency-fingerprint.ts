import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * HKDF `info` of the fingerprint keys. A distinct label makes each HMAC key independent of the
 * AES key it is derived from (and of any other key derived from it for another purpose).
 */
export const FINGERPRINT_KEY_INFO = 'integrations-service idempotency fingerprint v1';
const KEY_BYTES = 32;
const DIGEST_BYTES = 32;
/** Same alphabet and length as the encryption key ids (and the `request_hash_key_id` column). */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** One configured secret: `ENCRYPTION_KEYS` entries, `{ id, key: base64 of 32 bytes }`. */
export interface FingerprintSecret {
  readonly id: string;
  readonly key: string;
}

/**
 * A request fingerprint as stored with its outcome. `keyId` names the key of the HMAC;
 * `null` marks a row written before fingerprints were keyed, whose `hash` is the plain SHA-256.
 */
export interface StoredFingerprint {
  readonly keyId: string | null;
  /** Lower-case hex, 64 characters. */
  readonly hash: string;
}

/** `unknown-key`: the row was signed with a key that is no longer configured (cannot be checked). */
export type FingerprintVerdict = 'match' | 'mismatch' | 'unknown-key';

/** A misconfigured key list. The message names the key by position or id, never its material. */
export class FingerprintKeyConfigError extends Error {
  constructor(message: string) {
    super(`Invalid idempotency fingerprint keys: ${message}`);
    this.name = 'FingerprintKeyConfigError';
  }
}

/**
 * Keyed request fingerprints: HMAC-SHA256, under a key derived with HKDF-SHA256 from each
 * configured encryption key, of the request's SHA-256 digest (see `requestDigest`). Whoever reads
 * `idempotency_records` cannot test guessed bodies (credentials included) without the secret.
 *
 * Rotation follows the encryption keys: the first key signs new fingerprints, every listed key
 * verifies the rows that name it. The HMAC covers the digest rather than the canonical text so
 * that a row stored before the upgrade (plain digest) can be re-keyed in place (`seal`) without
 * the request it came from.
 *
 * Pure (no I/O, no Nest): built from the key list, testable alone.
 */
export class IdempotencyFingerprints {
  private readonly keys = new Map<string, Buffer>();
  /** The id of the key that signs new fingerprints (the first configured key). */
  readonly currentKeyId: string;

  constructor(secrets: readonly FingerprintSecret[]) {
    if (!Array.isArray(secrets) || secrets.length === 0) throw new FingerprintKeyConfigError('at least one key is required');
    secrets.forEach((secret, index) => {
      const id: unknown = secret?.id;
      if (typeof id !== 'string' || !KEY_ID.test(id)) {
        throw new FingerprintKeyConfigError(`key #${index + 1} needs an id of 1-64 characters from [A-Za-z0-9._-]`);
      }
      if (this.keys.has(id)) throw new FingerprintKeyConfigError(`key id "${id}" is listed more than once`);
      const material = typeof secret.key === 'string' ? Buffer.from(secret.key, 'base64') : Buffer.alloc(0);
      if (material.length !== KEY_BYTES) throw new FingerprintKeyConfigError(`key "${id}" must be base64 of exactly ${KEY_BYTES} bytes`);
      // No salt: the input keys are uniformly random already (RFC 5869 §3.1); `info` separates uses.
      this.keys.set(id, Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), FINGERPRINT_KEY_INFO, KEY_BYTES)));
    });
    this.currentKeyId = secrets[0].id;
  }

  /** The fingerprint to store for a new outcome: signed with the current key. */
  sign(digest: Buffer): StoredFingerprint {
    return { keyId: this.currentKeyId, hash: this.mac(this.keys.get(this.currentKeyId)!, digest) };
  }

  /** Whether `digest` is the request `stored` was computed from; compared in constant time. */
  verify(digest: Buffer, stored: StoredFingerprint): FingerprintVerdict {
    if (stored.keyId === null) {
      // A row from before the upgrade: its plain digest, for the rest of its (at most 24 h) life.
      return constantTimeEqual(digest.toString('hex'), stored.hash) ? 'match' : 'mismatch';
    }
    const key = this.keys.get(stored.keyId);
    if (!key) return 'unknown-key';
    return constantTimeEqual(this.mac(key, digest), stored.hash) ? 'match' : 'mismatch';
  }

  /**
   * The keyed form of a plain digest stored before the upgrade, as `sign` would have computed it.
   * A value that is no hex digest never matched any request; its keyed form (of a random digest)
   * never matches either.
   */
  seal(legacyHash: string): StoredFingerprint {
    const digest = /^[0-9a-f]{64}$/.test(legacyHash) ? Buffer.from(legacyHash, 'hex') : randomBytes(DIGEST_BYTES);
    return this.sign(digest);
  }

  private mac(key: Buffer, digest: Buffer): string {
    if (digest.length !== DIGEST_BYTES) throw new TypeError(`a request digest has ${DIGEST_BYTES} bytes`);
    return createHmac('sha256', key).update(digest).digest('hex');
  }
}

/** Equal strings, in time that depends only on their lengths (which are public: 64). */
function constantTimeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(typeof actual === 'string' ? actual : '', 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
