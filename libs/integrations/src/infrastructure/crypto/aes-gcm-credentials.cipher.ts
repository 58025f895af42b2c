import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CredentialsCipher, EncryptedValue } from '../../application/ports/credentials-cipher';
import { INTEGRATIONS_MODULE_OPTIONS, IntegrationsModuleOptions } from '../../integrations.module-definition';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
/**
 * The same language as `BASE64` for non-empty text whose length is a multiple of 4 (alphabet, then at
 * most two `=`), checked about twice as fast: a list decrypts three stored fields per row.
 */
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;

/** A misconfigured key list. The message names the key by position and id, never its material. */
export class EncryptionKeyConfigError extends Error {
  constructor(message: string) {
    super(`Invalid integrations encryptionKeys: ${message}`);
    this.name = 'EncryptionKeyConfigError';
  }
}

/**
 * A stored value that cannot be decrypted: tampered, bound to another row (associated data), or
 * encrypted with a key this server does not hold. The message carries no key or plaintext material.
 */
export class CredentialsDecryptionError extends Error {
  constructor(reason: string) {
    super(`Cannot decrypt stored value: ${reason}`);
    this.name = 'CredentialsDecryptionError';
  }
}

/**
 * AES-256-GCM with a random 96-bit IV per encryption and a 128-bit tag. The first configured key
 * encrypts; every configured key decrypts (matched by the stored key id), so keys can rotate.
 */
@Injectable()
export class AesGcmCredentialsCipher extends CredentialsCipher {
  private readonly keys = new Map<string, Buffer>();
  /** The id of the key that encrypts (the first configured key). */
  readonly currentKeyId: string;

  constructor(@Inject(INTEGRATIONS_MODULE_OPTIONS) options: IntegrationsModuleOptions) {
    super();
    const list = options?.encryptionKeys;
    if (!Array.isArray(list) || list.length === 0) {
      throw new EncryptionKeyConfigError('at least one key is required');
    }
    list.forEach((entry, index) => {
      const id: unknown = entry?.id;
      if (typeof id !== 'string' || !KEY_ID.test(id)) {
        throw new EncryptionKeyConfigError(`key #${index + 1} needs an id of 1-64 characters from [A-Za-z0-9._-]`);
      }
      if (this.keys.has(id)) {
        throw new EncryptionKeyConfigError(`key id "${id}" is listed more than once`);
      }
      const material: unknown = entry.key;
      if (typeof material !== 'string' || !BASE64.test(material)) {
        throw new EncryptionKeyConfigError(`key "${id}" is not base64`);
      }
      const bytes = Buffer.from(material, 'base64');
      if (bytes.length !== KEY_BYTES) {
        throw new EncryptionKeyConfigError(`key "${id}" must decode to exactly ${KEY_BYTES} bytes (it decodes to ${bytes.length})`);
      }
      this.keys.set(id, bytes);
    });
    this.currentKeyId = list[0].id;
  }

  encrypt(value: unknown, aad: string): EncryptedValue {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError('Cannot encrypt a value that has no JSON form');
    const key = this.keys.get(this.currentKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return {
      v: 1,
      kid: this.currentKeyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
    };
  }

  decrypt<T = unknown>(value: EncryptedValue, aad: string): T {
    if (!value || typeof value !== 'object' || value.v !== 1) {
      throw new CredentialsDecryptionError('unsupported format');
    }
    if (typeof value.kid !== 'string') throw new CredentialsDecryptionError('missing key id');
    const key = this.keys.get(value.kid);
    if (!key) {
      const shown = KEY_ID.test(value.kid) ? `"${value.kid}"` : '(malformed)';
      throw new CredentialsDecryptionError(`unknown key id ${shown}`);
    }
    const iv = decodeBase64(value.iv);
    const tag = decodeBase64(value.tag);
    const ct = decodeBase64(value.ct);
    if (!iv || iv.length !== IV_BYTES || !tag || tag.length !== TAG_BYTES || !ct) {
      throw new CredentialsDecryptionError('malformed envelope');
    }
    let plaintext: string;
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      // Node's message is generic, but we do not chain it: nothing from the attempt leaves here.
      throw new CredentialsDecryptionError(`authentication failed (key id "${value.kid}")`);
    }
    try {
      return JSON.parse(plaintext) as T;
    } catch {
      throw new CredentialsDecryptionError('decrypted value is not JSON');
    }
  }

  isCurrent(value: EncryptedValue): boolean {
    return value?.kid === this.currentKeyId;
  }
}

function decodeBase64(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !isBase64OrEmpty(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** `text === '' || BASE64.test(text)`, without the regex's groups. */
export function isBase64OrEmpty(text: string): boolean {
  return text.length % 4 === 0 && BASE64_CHARACTERS.test(text);
}
