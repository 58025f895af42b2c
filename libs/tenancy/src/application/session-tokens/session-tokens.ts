import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TenancyError } from '../../domain/tenancy.errors';
import { Clock } from '../ports/clock';
import { SessionClaims, SessionSubject } from './session-claims';
import { SESSION_TOKENS_OPTIONS } from './session-tokens.options';

export interface SessionTokensOptions {
  readonly secret: string;
  readonly ttlSeconds: number;
}

const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
const ENCODED_HEADER = base64url(JSON.stringify(HEADER));
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Tokens longer than this are refused before any work (ours are ~300 characters). */
const MAX_TOKEN_LENGTH = 4096;

/**
 * HS256 JWTs signed with the server secret (node:crypto only). `verify` accepts only the exact
 * header `{"alg":"HS256","typ":"JWT"}` — `none` and every other algorithm are refused — compares
 * signatures in constant time, enforces `exp`, and returns undefined for anything malformed
 * instead of throwing.
 */
@Injectable()
export class SessionTokens {
  private readonly key: Buffer;
  private readonly ttlSeconds: number;

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
    this.key = Buffer.from(options.secret, 'utf8');
    this.ttlSeconds = options.ttlSeconds;
  }

  sign(subject: SessionSubject): string {
    const iat = this.nowSeconds();
    const payload = {
      sub: subject.userId,
      org: subject.organizationId,
      env: subject.environmentId,
      iat,
      exp: iat + this.ttlSeconds,
    };
    const signingInput = `${ENCODED_HEADER}.${base64url(JSON.stringify(payload))}`;
    return `${signingInput}.${this.signature(signingInput)}`;
  }

  verify(token: string): SessionClaims | undefined {
    try {
      return this.verifyOrUndefined(token);
    } catch {
      return undefined;
    }
  }

  private verifyOrUndefined(token: unknown): SessionClaims | undefined {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) return undefined;
    const [encodedHeader, encodedPayload, encodedSignature] = parts;

    const header = parseJsonObject(encodedHeader);
    if (!header || !isExactHeader(header)) return undefined;

    // Compare the canonical base64url text, not decoded bytes: lenient decoding would accept
    // several spellings of one signature.
    const expected = Buffer.from(this.signature(`${encodedHeader}.${encodedPayload}`), 'utf8');
    const given = Buffer.from(encodedSignature, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;

    const payload = parseJsonObject(encodedPayload);
    if (!payload) return undefined;
    const { sub, org, env, iat, exp } = payload;
    if (!isNonEmptyString(sub) || !isNonEmptyString(org) || !isNonEmptyString(env)) return undefined;
    if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) return undefined;
    if ((exp as number) <= this.nowSeconds()) return undefined;
    return { userId: sub, organizationId: org, environmentId: env, issuedAt: iat as number, expiresAt: exp as number };
  }

  private signature(signingInput: string): string {
    return createHmac('sha256', this.key).update(signingInput, 'utf8').digest('base64url');
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function isExactHeader(header: Record<string, unknown>): boolean {
  const keys = Object.keys(header);
  return keys.length === 2 && header.alg === HEADER.alg && header.typ === HEADER.typ;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
