import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { EncryptedValue } from '../../application/ports/credentials-cipher';
import { EncryptionKey } from '../../integrations.module-definition';
import {
  AesGcmCredentialsCipher,
  CredentialsDecryptionError,
  EncryptionKeyConfigError,
  isBase64OrEmpty,
} from './aes-gcm-credentials.cipher';

const newKey = (id: string): EncryptionKey => ({ id, key: randomBytes(32).toString('base64') });
const cipherWith = (...keys: EncryptionKey[]) => new AesGcmCredentialsCipher({ encryptionKeys: keys });

/** Flips one bit of a base64 field. */
function flip(b64: string, byte = 0): string {
  const buf = Buffer.from(b64, 'base64');
  buf[byte] ^= 0x01;
  return buf.toString('base64');
}

describe('AesGcmCredentialsCipher', () => {
  const k1 = newKey('k1');
  const cipher = cipherWith(k1);
  const aad = 'integration:6f1c2a8e-0000-4000-8000-000000000001:credentials';
  const credentials = {
    apiKey: 'SG.super-secret-value',
    port: '587',
    secure: true,
    ignoreTls: false,
    tlsOptions: { rejectUnauthorized: false, ciphers: 'HIGH' },
  };

  it('round-trips a JSON value with its types', () => {
    const sealed = cipher.encrypt(credentials, aad);
    expect(sealed).toEqual({ v: 1, kid: 'k1', iv: expect.any(String), tag: expect.any(String), ct: expect.any(String) });
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(sealed)).not.toContain('super-secret');
    expect(cipher.decrypt(sealed, aad)).toEqual(credentials);
    expect(cipher.decrypt(cipher.encrypt('plain string', aad), aad)).toBe('plain string');
  });

  it('uses a fresh IV for every encryption', () => {
    const a = cipher.encrypt(credentials, aad);
    const b = cipher.encrypt(credentials, aad);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
  });

  it('refuses a value bound to other associated data (copied onto another row)', () => {
    const sealed = cipher.encrypt(credentials, aad);
    expect(() => cipher.decrypt(sealed, aad.replace('0001', '0002'))).toThrow(CredentialsDecryptionError);
  });

  it.each(['ct', 'tag', 'iv'] as const)('refuses a tampered %s', (field) => {
    const sealed = cipher.encrypt(credentials, aad);
    const tampered: EncryptedValue = { ...sealed, [field]: flip(sealed[field]) };
    expect(() => cipher.decrypt(tampered, aad)).toThrow(CredentialsDecryptionError);
  });

  it('refuses a malformed envelope', () => {
    const sealed = cipher.encrypt(credentials, aad);
    expect(() => cipher.decrypt({ ...sealed, tag: sealed.tag.slice(0, 8) }, aad)).toThrow(/malformed envelope/);
    expect(() => cipher.decrypt({ ...sealed, v: 2 } as unknown as EncryptedValue, aad)).toThrow(/unsupported format/);
    expect(() => cipher.decrypt(null as unknown as EncryptedValue, aad)).toThrow(CredentialsDecryptionError);
  });

  it('accepts exactly the base64 text the grouped expression accepts (or the empty text)', () => {
    // The reference: the expression the envelope fields were checked with before the cheaper check.
    const grouped = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
    const reference = (text: string) => text === '' || grouped.test(text);
    const character = fc.constantFrom(...'AZaz09+/=-_ \n.'.split(''), 'é', '\u0000');
    const text = fc.oneof(
      fc.array(character, { maxLength: 14 }).map((chars) => chars.join('')),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc
        .tuple(fc.uint8Array({ maxLength: 20 }), fc.array(character, { maxLength: 3 }))
        .map(([bytes, tail]) => Buffer.from(bytes).toString('base64') + tail.join('')),
    );
    fc.assert(
      fc.property(text, (value) => isBase64OrEmpty(value) === reference(value)),
      { seed: 20_261_211, numRuns: 5_000 },
    );
    for (const value of ['', 'AA==', 'AAA=', 'AAAA', 'A===', '====', 'AA=A', 'AAAAA', 'AA==\n', ' AAA']) {
      expect([value, isBase64OrEmpty(value)]).toEqual([value, reference(value)]);
    }
  });

  it('never puts plaintext or key material in a decryption error', () => {
    const sealed = cipher.encrypt(credentials, aad);
    let message = '';
    try {
      cipher.decrypt({ ...sealed, ct: flip(sealed.ct, 3) }, aad);
    } catch (error) {
      message = (error as Error).message;
      expect((error as Error).cause).toBeUndefined();
    }
    expect(message).toMatch(/authentication failed/);
    expect(message).not.toContain('super-secret');
    expect(message).not.toContain(k1.key);
  });

  describe('key rotation', () => {
    const k2 = newKey('k2');
    const before = cipherWith(k1);
    const after = cipherWith(k2, k1);

    it('decrypts values of an older key and encrypts with the first key', () => {
      const old = before.encrypt(credentials, aad);
      expect(after.decrypt(old, aad)).toEqual(credentials);
      expect(after.isCurrent(old)).toBe(false);

      const fresh = after.encrypt(credentials, aad);
      expect(fresh.kid).toBe('k2');
      expect(after.isCurrent(fresh)).toBe(true);
      expect(after.decrypt(fresh, aad)).toEqual(credentials);
    });

    it('refuses an unknown key id', () => {
      const fresh = after.encrypt(credentials, aad);
      expect(() => before.decrypt(fresh, aad)).toThrow(/unknown key id "k2"/);
    });

    it('refuses a key id swapped onto another key’s ciphertext', () => {
      const old = before.encrypt(credentials, aad);
      expect(() => after.decrypt({ ...old, kid: 'k2' }, aad)).toThrow(/authentication failed/);
    });
  });

  describe('configuration', () => {
    const rejects = (keys: unknown, pattern: RegExp) => {
      let error: unknown;
      try {
        new AesGcmCredentialsCipher({ encryptionKeys: keys as EncryptionKey[] });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EncryptionKeyConfigError);
      expect((error as Error).message).toMatch(pattern);
      return (error as Error).message;
    };

    it('needs at least one key', () => {
      rejects([], /at least one key/);
      rejects(undefined, /at least one key/);
    });

    it('needs keys of exactly 32 bytes, without printing them', () => {
      const short = randomBytes(16).toString('base64');
      const message = rejects([{ id: 'k1', key: short }], /"k1" must decode to exactly 32 bytes \(it decodes to 16\)/);
      expect(message).not.toContain(short);
      const long = randomBytes(33).toString('base64');
      expect(rejects([{ id: 'k1', key: long }], /exactly 32 bytes/)).not.toContain(long);
    });

    it('needs base64 keys', () => {
      const notBase64 = 'this is not base64 but is long enough to be 32 bytes!!';
      expect(rejects([{ id: 'k1', key: notBase64 }], /"k1" is not base64/)).not.toContain(notBase64);
      rejects([{ id: 'k1', key: 42 }], /not base64/);
    });

    it('needs unique, well-formed ids', () => {
      rejects([newKey('k1'), newKey('k1')], /"k1" is listed more than once/);
      rejects([{ id: '', key: newKey('x').key }], /key #1 needs an id/);
      rejects([newKey('k1'), { key: newKey('x').key }], /key #2 needs an id/);
    });
  });
});
