import { UnauthorizedException } from '@nestjs/common';

export type AuthorizationCredential =
  { readonly scheme: 'api-key'; readonly secret: string } | { readonly scheme: 'bearer'; readonly token: string };

/** 401 messages of the contract (docs/contract.md §2), kept verbatim. */
export const AUTH_MESSAGES = {
  missingHeader: 'Missing authorization header',
  invalidScheme: (scheme: string) => `Invalid authentication scheme: "${scheme}"`,
  /** For a header whose first word cannot be a scheme (a bare key, say): nothing of it is echoed. */
  invalidSchemeUnnamed: 'Invalid authentication scheme: send "ApiKey <key>" or "Bearer <token>"',
  unauthorized: 'Unauthorized',
  apiKeyNotFound: 'API Key not found',
  environmentNotFound: 'Cannot find environment',
} as const;

/**
 * The longest scheme echoed in a 401. Registered schemes are short (`Basic`, `Negotiate`,
 * `SCRAM-SHA-256`, `AWS4-HMAC-SHA256`); a long first word is more likely a key sent bare.
 */
export const MAX_ECHOED_SCHEME_LENGTH = 20;

/** An RFC 9110 `token` (the grammar of an auth-scheme): tchar = ALPHA / DIGIT / "!#$%&'*+-.^_`|~". */
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * Splits `Authorization: <scheme> <value>`. Schemes are matched case-insensitively (RFC 9110 §11.1).
 * An unknown scheme is echoed as sent only when the header really has the form `<scheme> <value>`
 * and the scheme is a short token: a header of one word is most likely a secret sent without its
 * scheme (`Authorization: 16cacf7e…`), and is never repeated back. Throws 401 with the contract's messages.
 */
export function parseAuthorizationHeader(header: string | string[] | undefined): AuthorizationCredential {
  const raw = singleHeader(header);
  if (!raw) throw new UnauthorizedException(AUTH_MESSAGES.missingHeader);

  const gap = raw.search(/\s/);
  const scheme = gap < 0 ? raw : raw.slice(0, gap);
  const value = gap < 0 ? '' : raw.slice(gap).trim();

  switch (scheme.toLowerCase()) {
    case 'apikey':
      if (!value) throw new UnauthorizedException(AUTH_MESSAGES.unauthorized);
      return { scheme: 'api-key', secret: value };
    case 'bearer':
      if (!value) throw new UnauthorizedException(AUTH_MESSAGES.unauthorized);
      return { scheme: 'bearer', token: value };
    default:
      throw new UnauthorizedException(
        mayEchoScheme(scheme, value) ? AUTH_MESSAGES.invalidScheme(scheme) : AUTH_MESSAGES.invalidSchemeUnnamed,
      );
  }
}

function mayEchoScheme(scheme: string, value: string): boolean {
  return value !== '' && scheme.length <= MAX_ECHOED_SCHEME_LENGTH && TOKEN.test(scheme);
}

/** The first non-empty value of a header that may have been sent more than once. */
export function singleHeader(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}
