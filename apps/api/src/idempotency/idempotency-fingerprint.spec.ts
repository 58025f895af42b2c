import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { FINGERPRINT_KEY_INFO, FingerprintKeyConfigError, IdempotencyFingerprints } from './idempotency-fingerprint';
import { canonicalJson, FingerprintInput, requestDigest } from './idempotency-request';

const secret = (id: string) => ({ id, key: randomBytes(32).toString('base64') });

const request = (body: unknown, overrides: Partial<FingerprintInput> = {}): FingerprintInput => ({
  method: 'POST',
  path: '/v1/integrations',
  environmentId: '6f1c1e4e-8d1a-4b3c-9a55-0d7c5b2f1a00',
  body,
  ...overrides,
});

describe('IdempotencyFingerprints', () => {
  const body = { providerId: 'sendgrid', channel: 'email', credentials: { apiKey: 'SG.guessable-password' } };

  it('is deterministic per key: the same request signs to the same hash, tagged with the first key id', () => {
    const one = secret('k1');
    const a = new IdempotencyFingerprints([one, secret('k0')]);
    const b = new IdempotencyFingerprints([one]);
    const signed = a.sign(requestDigest(request(body)));
    expect(signed.keyId).toBe('k1');
    expect(signed.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.sign(requestDigest(request(body)))).toEqual(signed);
    expect(b.sign(requestDigest(request(body)))).toEqual(signed);
  });

  it('is not the plain SHA-256 of the canonical request, but its HMAC under an HKDF-derived key', () => {
    const one = secret('k1');
    const fingerprints = new IdempotencyFingerprints([one]);
    const input = request(body);
    const canonical = canonicalJson({ method: 'POST', path: input.path, environmentId: input.environmentId, body });
    const plain = createHash('sha256').update(canonical).digest();
    const signed = fingerprints.sign(requestDigest(input));

    expect(signed.hash).not.toBe(plain.toString('hex'));
    // Independent recomputation from the documented construction.
    const derived = Buffer.from(hkdfSync('sha256', Buffer.from(one.key, 'base64'), Buffer.alloc(0), FINGERPRINT_KEY_INFO, 32));
    expect(signed.hash).toBe(createHmac('sha256', derived).update(plain).digest('hex'));
    // …and the derived key is not the encryption key itself.
    expect(signed.hash).not.toBe(createHmac('sha256', Buffer.from(one.key, 'base64')).update(plain).digest('hex'));
  });

  it('differs per key: another secret gives another hash, and cannot verify the first', () => {
    const first = new IdempotencyFingerprints([secret('k1')]);
    const other = new IdempotencyFingerprints([secret('k1')]);
    const digest = requestDigest(request(body));
    const signed = first.sign(digest);
    expect(other.sign(digest).hash).not.toBe(signed.hash);
    expect(other.verify(digest, signed)).toBe('mismatch');
    expect(first.verify(digest, signed)).toBe('match');
  });

  it('ignores key order at every depth (canonical JSON), but not values, method, path or environment', () => {
    const fingerprints = new IdempotencyFingerprints([secret('k1')]);
    const reordered = { credentials: { apiKey: 'SG.guessable-password' }, channel: 'email', providerId: 'sendgrid' };
    const signed = fingerprints.sign(requestDigest(request(body)));
    expect(fingerprints.verify(requestDigest(request(reordered)), signed)).toBe('match');
    expect(fingerprints.sign(requestDigest(request(reordered)))).toEqual(signed);

    for (const other of [
      request({ ...body, credentials: { apiKey: 'SG.another-guess' } }),
      request(body, { method: 'PATCH' }),
      request(body, { path: '/v1/integrations/x/set-primary' }),
      request(body, { environmentId: '00000000-0000-4000-8000-000000000000' }),
      request(undefined),
    ]) {
      expect(fingerprints.verify(requestDigest(other), signed)).toBe('mismatch');
    }
  });

  it('verifies with the key the stored fingerprint names after a rotation (new key first, old after)', () => {
    const old = secret('old');
    const fresh = secret('new');
    const digest = requestDigest(request(body));
    const before = new IdempotencyFingerprints([old]).sign(digest);
    const rotated = new IdempotencyFingerprints([fresh, old]);
    expect(rotated.verify(digest, before)).toBe('match');
    expect(rotated.verify(requestDigest(request({ ...body, name: 'x' })), before)).toBe('mismatch');
    expect(rotated.sign(digest).keyId).toBe('new');
    // The old key dropped from the list: the row can no longer be checked.
    expect(new IdempotencyFingerprints([fresh]).verify(digest, before)).toBe('unknown-key');
  });

  it('still verifies a plain digest stored before the upgrade (no key id), and seals it into the keyed form', () => {
    const fingerprints = new IdempotencyFingerprints([secret('k1')]);
    const digest = requestDigest(request(body));
    const legacy = { keyId: null, hash: digest.toString('hex') };
    expect(fingerprints.verify(digest, legacy)).toBe('match');
    expect(fingerprints.verify(requestDigest(request({})), legacy)).toBe('mismatch');

    const sealed = fingerprints.seal(legacy.hash);
    expect(sealed).toEqual(fingerprints.sign(digest));
    expect(fingerprints.verify(digest, sealed)).toBe('match');
    // Not a digest at all: its keyed form matches nothing.
    const junk = fingerprints.seal('not-a-digest');
    expect(junk.keyId).toBe('k1');
    expect(fingerprints.verify(digest, junk)).toBe('mismatch');
  });

  it('treats a stored hash of the wrong length or type as a mismatch (never throws)', () => {
    const fingerprints = new IdempotencyFingerprints([secret('k1')]);
    const digest = requestDigest(request(body));
    const signed = fingerprints.sign(digest);
    expect(fingerprints.verify(digest, { keyId: 'k1', hash: signed.hash.slice(1) })).toBe('mismatch');
    expect(fingerprints.verify(digest, { keyId: 'k1', hash: `${signed.hash}0` })).toBe('mismatch');
    expect(fingerprints.verify(digest, { keyId: null, hash: '' })).toBe('mismatch');
    expect(fingerprints.verify(digest, { keyId: 'k1', hash: undefined as unknown as string })).toBe('mismatch');
  });

  it('refuses a bad key list without showing key material', () => {
    const material = randomBytes(16).toString('base64');
    const attempts = [
      () => new IdempotencyFingerprints([]),
      () => new IdempotencyFingerprints([{ id: 'bad id!', key: randomBytes(32).toString('base64') }]),
      () => new IdempotencyFingerprints([secret('dup'), secret('dup')]),
      () => new IdempotencyFingerprints([{ id: 'short', key: material }]),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(FingerprintKeyConfigError);
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain(material);
      }
    }
  });
});
