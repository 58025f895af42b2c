import { UnauthorizedException } from '@nestjs/common';

export type AuthorizationCredential = { readonly scheme: 'api-key'; readonly secret: string } | { readonly scheme: 'bearer'; readonly token: string };

/** 401 messages of the contract (spec §2), kept verbatim. */
export const AUTH_MESSAGES = {
  missingHeader: 'Missing authorization header',
  invalidScheme: (scheme: string) => `Invalid authentication scheme: "${scheme}"`,
  unauthorized: 'Unauthorized',
  apiKeyNotFound: 'API Key not found',
  environmentNotFound: 'Cannot find environment',
} as const;

/**
 * Splits `Authorization: <scheme> <value>`. Schemes are matched case-insensitively (RFC 9110 §11.1);
 * the scheme is echoed as sent in the error. Throws 401 with the contract's messages.
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
      throw new UnauthorizedException(AUTH_MESSAGES.invalidScheme(scheme));
  }
}

/** The first non-empty value of a header that may have been sent more than once. */
export function singleHeader(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}
