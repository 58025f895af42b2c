import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { Credentials } from '../../domain/integration';

/** What a provider verifier gets from the registry for one check. */
export interface VerificationContext {
  /** The whole check's budget (DNS, connect, answer), for messages and socket timeouts. */
  readonly timeoutMs: number;
  /** Aborts when the budget is spent. */
  readonly signal: AbortSignal;
  /** The configured base URL for this provider id (`credentialsCheck.baseUrls`), else `realBaseUrl`. */
  baseUrl(providerId: string, realBaseUrl: string): string;
  /**
   * Resolves `host` and checks every address against the outbound URL policy; returns the checked
   * addresses (at least one) to connect to, so a DNS answer cannot change between the check and
   * the connection. Throws `CredentialsCheckFailed` (unresolvable, not allowed, or timeout).
   */
  target(host: string, service: string): Promise<readonly string[]>;
}

/**
 * One provider family's credentials check: one small file per family. Adding a provider is one
 * such file (or one more id in an existing one) plus one line in `PROVIDER_VERIFIERS`.
 */
export interface ProviderVerifier {
  /** Catalog provider ids this verifier checks. */
  readonly providerIds: readonly string[];
  /** For the docs: the request it sends, e.g. `GET /v3/scopes (Bearer apiKey)`. */
  readonly request: string;
  /** Resolves when the provider accepted the credentials; throws `CredentialsCheckFailed` otherwise. */
  verify(providerId: string, credentials: Credentials, context: VerificationContext): Promise<void>;
}

/** A non-empty string credential, trimmed, or undefined. */
export function credential(credentials: Credentials, key: string): string | undefined {
  const value = credentials[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A string credential the check cannot do without. */
export function requireCredential(credentials: Credentials, key: string, service: string): string {
  const value = credential(credentials, key);
  if (value === undefined) {
    throw new CredentialsCheckFailed('rejected', `credentials.${key} is required to check ${service} credentials`);
  }
  return value;
}

/** A boolean credential; the strings "true"/"false" are accepted too. */
export function flag(credentials: Credentials, key: string): boolean | undefined {
  const value = credentials[key];
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** `base` (which may carry a path prefix) joined with an absolute `path`. */
export function joinUrl(base: string, path: string): string {
  return trimTrailingSlashes(base) + path;
}

/**
 * `text` without its trailing `/` characters, in one backward pass. Not `replace(/\/+$/, '')`:
 * V8 retries that pattern from every slash of every run that is not at the end, which is
 * quadratic in a caller's base URL (80,000 slashes followed by one letter took seconds).
 */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return end === text.length ? text : text.slice(0, end);
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
