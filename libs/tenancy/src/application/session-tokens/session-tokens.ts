import { Inject, Injectable } from '@nestjs/common';
import { webcrypto } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { TenancyError } from '../../domain/tenancy.errors';
import { Clock } from '../ports/clock';
import { SessionClaims, SessionSubject } from './session-claims';
import { SESSION_TOKENS_OPTIONS } from './session-tokens.options';

export interface SessionTokensOptions {
  /** Signs new tokens, and verifies. */
  readonly secret: string;
  /** Only verify: tokens signed before a rotation stay valid until they expire (grace period). */
  readonly previousSecrets?: readonly string[];
  readonly ttlSeconds: number;
}

const ALGORITHM = 'HS256';
const HEADER = { alg: ALGORITHM, typ: 'JWT' } as const;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Tokens longer than this are refused before any work (ours are ~300 characters). */
/** How far ahead of our clock a previous secret's token may say it was issued (another instance's clock). */
const CLOCK_SKEW_SECONDS = 60;
const MAX_TOKEN_LENGTH = 4096;

/**
 * HS256 JWTs signed with the server secret, by jose. `verify` accepts only the exact header
 * `{"alg":"HS256","typ":"JWT"}`; jose is told to accept HS256 alone and gets a key that can do
 * nothing else, so `none`, every other algorithm and `crit` extensions are refused twice. `exp` is
 * required and enforced against the injected clock; anything malformed gives undefined, never a
 * rejection. Tokens are byte for byte what the hand-written signer produced before jose.
 *
 * Rotation: new tokens are signed with `secret` only; a token is accepted when `secret` or one of
 * `previousSecrets` verifies it (tried in that order), so that tokens issued before the rotation
 * keep working until they expire.
 */
@Injectable()
export class SessionTokens {
  private readonly secrets: readonly Uint8Array[];
  private readonly ttlSeconds: number;
  private keys: Promise<webcrypto.CryptoKey>[] | undefined;

  constructor(
    @Inject(SESSION_TOKENS_OPTIONS) options: SessionTokensOptions,
    private readonly clock: Clock = { now: () => new Date() },
  ) {
    if (typeof options.secret !== 'string' || options.secret.length === 0) {
      throw TenancyError.invalidOptions('jwtSecret must be a non-empty string');
    }
    if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds <= 0) {
      throw TenancyError.invalidOptions('sessionTokenTtlSeconds must be a positive integer');
    }
    const previous = options.previousSecrets ?? [];
    if (!Array.isArray(previous) || previous.some((secret) => typeof secret !== 'string' || secret.length === 0)) {
      throw TenancyError.invalidOptions('previousJwtSecrets must be non-empty strings');
    }
    this.secrets = [options.secret, ...previous].map((secret) => new TextEncoder().encode(secret));
    this.ttlSeconds = options.ttlSeconds;
  }

  async sign(subject: SessionSubject): Promise<string> {
    const iat = this.nowSeconds();
    // Claim order is the serialisation order: sub, org, env, iat, exp, as tokens always had
    const payload = {
      sub: subject.userId,
      org: subject.organizationId,
      env: subject.environmentId,
      iat,
      exp: iat + this.ttlSeconds,
    };
    return new SignJWT(payload).setProtectedHeader(HEADER).sign(await this.hmacKeys()[0]);
  }

  async verify(token: string): Promise<SessionClaims | undefined> {
    try {
      return await this.verifyOrUndefined(token);
    } catch {
      return undefined;
    }
  }

  private async verifyOrUndefined(token: unknown): Promise<SessionClaims | undefined> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) return undefined;
    // jose decodes base64url leniently (unused trailing bits are ignored): one signature, one spelling
    const signature = parts[2];
    if (Buffer.from(signature, 'base64url').toString('base64url') !== signature) return undefined;
    if (!isExactHeader(decodeProtectedHeader(token))) return undefined;

    const verified = await this.verifiedPayload(token);
    if (!verified) return undefined;
    const { sub, org, env, iat, exp } = verified.payload;
    if (!isNonEmptyString(sub) || !isNonEmptyString(org) || !isNonEmptyString(env)) return undefined;
    if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) return undefined;
    // A previous (rotated-out, perhaps leaked) secret only keeps tokens the service could have
    // issued before the rotation alive: never a lifetime over the TTL, never an `iat` ahead of now.
    if (
      verified.byPreviousSecret &&
      ((exp as number) - (iat as number) > this.ttlSeconds || (iat as number) > this.nowSeconds() + CLOCK_SKEW_SECONDS)
    ) {
      return undefined;
    }
    return { userId: sub, organizationId: org, environmentId: env, issuedAt: iat as number, expiresAt: exp as number };
  }

  /** The payload under the first key whose signature matches; jose's other refusals (expiry…) are final. */
  private async verifiedPayload(token: string): Promise<{ payload: Record<string, unknown>; byPreviousSecret: boolean } | undefined> {
    const keys = this.hmacKeys();
    for (let i = 0; i < keys.length; i++) {
      try {
        const { payload } = await jwtVerify(token, await keys[i], {
          algorithms: [ALGORITHM],
          requiredClaims: ['sub', 'iat', 'exp'],
          currentDate: this.clock.now(),
        });
        return { payload: payload as Record<string, unknown>, byPreviousSecret: i > 0 };
      } catch (error) {
        if ((error as { code?: string }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || i === keys.length - 1) throw error;
      }
    }
    return undefined;
  }

  /** HMAC SHA-256 keys, the signing one first: jose refuses to use them for any algorithm but HS256. */
  private hmacKeys(): Promise<webcrypto.CryptoKey>[] {
    this.keys ??= this.secrets.map((secret) =>
      webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
    );
    return this.keys;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

function isExactHeader(header: Record<string, unknown>): boolean {
  const keys = Object.keys(header);
  return keys.length === 2 && header.alg === HEADER.alg && header.typ === HEADER.typ;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
