/**
 * The stored form of an encrypted value: AES-256-GCM, with the id of the key that encrypted it so
 * keys can rotate. Bound to its row through associated data.
 */
export interface EncryptedValue {
  /** Format version. */
  readonly v: 1;
  /** Key id. */
  readonly kid: string;
  /** base64 IV (12 bytes). */
  readonly iv: string;
  /** base64 auth tag (16 bytes). */
  readonly tag: string;
  /** base64 ciphertext of the JSON-encoded value. */
  readonly ct: string;
}

/** Encrypts and decrypts JSON values. `aad` binds the ciphertext to its owner (the integration id). */
export abstract class CredentialsCipher {
  /** The id of the key new values are encrypted with. */
  abstract readonly currentKeyId: string;
  abstract encrypt(value: unknown, aad: string): EncryptedValue;
  /** Throws when the tag does not verify (tampered, wrong row, or unknown key id). */
  abstract decrypt<T = unknown>(value: EncryptedValue, aad: string): T;
  /** Whether this value was encrypted with the current (active) key. */
  abstract isCurrent(value: EncryptedValue): boolean;
}
