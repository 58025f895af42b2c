import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { Clock } from '../ports/clock';
import { SessionTokens } from './session-tokens';

class FakeClock extends Clock {
  constructor(public current = new Date('2026-01-01T00:00:00Z')) {
    super();
  }
  override now(): Date {
    return this.current;
  }
  advanceSeconds(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

const SECRET = 'test-secret-that-is-long-enough-0123456789';
const subject = {
  userId: '11111111-1111-4111-8111-111111111111',
  organizationId: '22222222-2222-4222-8222-222222222222',
  environmentId: '33333333-3333-4333-8333-333333333333',
};

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const hmac = (input: string, algorithm = 'sha256', secret = SECRET) => createHmac(algorithm, secret).update(input).digest('base64url');

function build(clock = new FakeClock(), ttlSeconds = 3600) {
  return { clock, tokens: new SessionTokens({ secret: SECRET, ttlSeconds }, clock) };
}

describe('SessionTokens', () => {
  it('verifies a token it signed and returns its claims', async () => {
    const { tokens, clock } = build();
    const token = await tokens.sign(subject);
    const now = Math.floor(clock.now().getTime() / 1000);

    expect(await tokens.verify(token)).toEqual({ ...subject, issuedAt: now, expiresAt: now + 3600 });
  });

  it('writes the standard header and sub/org/env/iat/exp claims', async () => {
    const { tokens } = build();
    const [header, payload] = (await tokens.sign(subject)).split('.');

    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(JSON.parse(Buffer.from(payload, 'base64url').toString())).sort()).toEqual(['env', 'exp', 'iat', 'org', 'sub']);
  });

  it('refuses a tampered payload', async () => {
    const { tokens } = build();
    const [header, payload, signature] = (await tokens.sign(subject)).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = b64({ ...claims, org: '44444444-4444-4444-8444-444444444444' });

    expect(await tokens.verify(`${header}.${forged}.${signature}`)).toBeUndefined();
  });

  it('refuses a tampered signature, including another spelling of the same bytes', async () => {
    const { tokens } = build();
    const token = await tokens.sign(subject);
    const last = token.at(-1)!;
    const flipped = token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    const [header, payload, signature] = token.split('.');
    const otherSecret = hmac(`${header}.${payload}`, 'sha256', 'another-secret');

    expect(await tokens.verify(flipped)).toBeUndefined();
    expect(await tokens.verify(`${header}.${payload}.${otherSecret}`)).toBeUndefined();
    expect(await tokens.verify(`${header}.${payload}.${signature}A`)).toBeUndefined();
    expect(await tokens.verify(`${header}.${payload}.`)).toBeUndefined();
  });

  it('refuses alg none', async () => {
    const { tokens } = build();
    const payload = (await tokens.sign(subject)).split('.')[1];
    const header = b64({ alg: 'none', typ: 'JWT' });

    expect(await tokens.verify(`${header}.${payload}.`)).toBeUndefined();
    expect(await tokens.verify(`${header}.${payload}`)).toBeUndefined();
    expect(await tokens.verify(`${b64({ alg: 'None', typ: 'JWT' })}.${payload}.x`)).toBeUndefined();
  });

  it('refuses HS512 and other algorithms even when correctly signed with the secret', async () => {
    const { tokens } = build();
    const payload = (await tokens.sign(subject)).split('.')[1];
    const hs512 = b64({ alg: 'HS512', typ: 'JWT' });
    const hs384 = b64({ alg: 'HS384', typ: 'JWT' });

    expect(await tokens.verify(`${hs512}.${payload}.${hmac(`${hs512}.${payload}`, 'sha512')}`)).toBeUndefined();
    expect(await tokens.verify(`${hs384}.${payload}.${hmac(`${hs384}.${payload}`, 'sha384')}`)).toBeUndefined();
  });

  it('mints tokens byte for byte as the hand-written signer did, so tokens issued before jose still verify', async () => {
    const { tokens, clock } = build();
    const now = Math.floor(clock.now().getTime() / 1000);
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64({ sub: subject.userId, org: subject.organizationId, env: subject.environmentId, iat: now, exp: now + 3600 });
    const before = `${header}.${payload}.${hmac(`${header}.${payload}`)}`;

    expect(await tokens.sign(subject)).toBe(before);
    expect(await tokens.verify(before)).toEqual({ ...subject, issuedAt: now, expiresAt: now + 3600 });
  });

  it('refuses RS256, an HS256 header over another signature, and RS/HS key confusion', async () => {
    const { tokens } = build();
    const payload = (await tokens.sign(subject)).split('.')[1];
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsa = (input: string) => createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const rs256 = b64({ alg: 'RS256', typ: 'JWT' });
    const hs256 = b64({ alg: 'HS256', typ: 'JWT' });

    expect(await tokens.verify(`${rs256}.${payload}.${rsa(`${rs256}.${payload}`)}`)).toBeUndefined();
    expect(await tokens.verify(`${hs256}.${payload}.${rsa(`${hs256}.${payload}`)}`)).toBeUndefined();
    expect(await tokens.verify(`${rs256}.${payload}.${hmac(`${rs256}.${payload}`)}`)).toBeUndefined();
    expect(await tokens.verify(`${hs256}.${payload}.${hmac(`${hs256}.${payload}`, 'sha256', publicPem)}`)).toBeUndefined();
  });

  it('refuses crit headers even when signed with the secret', async () => {
    const { tokens } = build();
    const payload = (await tokens.sign(subject)).split('.')[1];
    for (const header of [
      { alg: 'HS256', typ: 'JWT', crit: ['exp'] },
      { alg: 'HS256', typ: 'JWT', crit: ['b64'], b64: false },
      { alg: 'HS256', crit: ['typ'] },
    ]) {
      const encoded = b64(header);
      expect(await tokens.verify(`${encoded}.${payload}.${hmac(`${encoded}.${payload}`)}`)).toBeUndefined();
    }
  });

  it('refuses a signature spelled with other unused trailing bits (the same bytes)', async () => {
    const { tokens } = build();
    const [header, payload, signature] = (await tokens.sign(subject)).split('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 32 bytes are 43 characters: the last one carries 4 bits of the signature and 2 unused bits
    const last = alphabet.indexOf(signature.at(-1)!);
    const respelled = signature.slice(0, -1) + alphabet[last ^ 0b01];

    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(await tokens.verify(`${header}.${payload}.${respelled}`)).toBeUndefined();
    expect(await tokens.verify(`${header}.${payload}.${signature}`)).toBeDefined();
  });

  it('refuses a header with extra or missing fields even when signed with the secret', async () => {
    const { tokens } = build();
    const payload = (await tokens.sign(subject)).split('.')[1];
    for (const header of [{ alg: 'HS256' }, { alg: 'HS256', typ: 'JWT', kid: 'x' }, { alg: 'HS256', typ: 'jwt' }]) {
      const encoded = b64(header);
      expect(await tokens.verify(`${encoded}.${payload}.${hmac(`${encoded}.${payload}`)}`)).toBeUndefined();
    }
  });

  it('refuses an expired token (exp is exclusive)', async () => {
    const { tokens, clock } = build(new FakeClock(), 60);
    const token = await tokens.sign(subject);

    clock.advanceSeconds(59);
    expect(await tokens.verify(token)).toBeDefined();
    clock.advanceSeconds(1);
    expect(await tokens.verify(token)).toBeUndefined();
  });

  it('refuses correctly signed payloads with missing or mistyped claims', async () => {
    const { tokens, clock } = build();
    const now = Math.floor(clock.now().getTime() / 1000);
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const good = { sub: subject.userId, org: subject.organizationId, env: subject.environmentId, iat: now, exp: now + 60 };
    const bad: unknown[] = [
      { ...good, exp: undefined },
      { ...good, exp: String(now + 60) },
      { ...good, iat: undefined },
      { ...good, sub: '' },
      { ...good, org: 42 },
      { ...good, env: null },
      [good],
      'a string',
      null,
    ];
    for (const payload of bad) {
      const encoded = b64(JSON.stringify(payload));
      expect(await tokens.verify(`${header}.${encoded}.${hmac(`${header}.${encoded}`)}`)).toBeUndefined();
    }
    const encoded = b64(good);
    expect(await tokens.verify(`${header}.${encoded}.${hmac(`${header}.${encoded}`)}`)).toBeDefined();
  });

  it('returns undefined for garbage and never throws', async () => {
    const { tokens } = build();
    const garbage: unknown[] = [
      '',
      'garbage',
      'a.b.c',
      '...',
      'a.b',
      'a.b.c.d',
      `${b64('not json')}.${b64('{}')}.x`,
      `${b64({ alg: 'HS256', typ: 'JWT' })}.!!!.x`,
      'x'.repeat(10_000),
      undefined,
      null,
      42,
      {},
    ];
    for (const token of garbage) {
      expect(() => tokens.verify(token as string)).not.toThrow();
      await expect(tokens.verify(token as string)).resolves.toBeUndefined();
    }
  });

  it('refuses an empty secret or a non-positive ttl at construction', () => {
    expect(() => new SessionTokens({ secret: '', ttlSeconds: 60 })).toThrow(expect.objectContaining({ code: 'INVALID_TENANCY_OPTIONS' }));
    expect(() => new SessionTokens({ secret: SECRET, ttlSeconds: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_TENANCY_OPTIONS' }),
    );
  });
});
