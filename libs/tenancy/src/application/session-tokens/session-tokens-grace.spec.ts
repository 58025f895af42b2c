import { createHmac } from 'node:crypto';
import { SessionTokens } from './session-tokens';

const OLD_SECRET = 'the-rotated-out-secret-that-leaked-0123456789';
const NEW_SECRET = 'the-current-secret-after-rotation-9876543210';
const TTL_SECONDS = 3600;

/** An HS256 token as the service signs them, with the claims given, signed with `secret`. */
function hs256(secret: string, claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

describe('SessionTokens: the grace period of a rotated-out secret', () => {
  // Found by a hostile review: a token verified by a *previous* secret was accepted with any `exp`,
  // so whoever held the rotated-out secret (the usual reason to rotate is that it leaked) could mint
  // a token valid for ten years. The service never issues exp - iat > ttlSeconds, so such a token
  // can only be forged; nor can a token issued before the rotation outlive it by more than one TTL.
  it('refuses a token signed with a previous secret whose lifetime exceeds the session TTL', async () => {
    const tokens = new SessionTokens({ secret: NEW_SECRET, previousSecrets: [OLD_SECRET], ttlSeconds: TTL_SECONDS });
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'user-1', org: 'org-1', env: 'env-1', iat: now };
    // Control: a token as the service issued it before the rotation is accepted (the grace period).
    expect(await tokens.verify(hs256(OLD_SECRET, { ...claims, exp: now + TTL_SECONDS }))).toBeDefined();
    const tenYears = hs256(OLD_SECRET, { ...claims, exp: now + 10 * 365 * 24 * 3600 });
    expect(await tokens.verify(tenYears)).toBeUndefined();
  });

  it('refuses a token signed with a previous secret that claims to be issued in the future', async () => {
    const tokens = new SessionTokens({ secret: NEW_SECRET, previousSecrets: [OLD_SECRET], ttlSeconds: TTL_SECONDS });
    const later = Math.floor(Date.now() / 1000) + 5 * 365 * 24 * 3600;
    const token = hs256(OLD_SECRET, { sub: 'user-1', org: 'org-1', env: 'env-1', iat: later, exp: later + TTL_SECONDS });
    expect(await tokens.verify(token)).toBeUndefined();
  });
});
