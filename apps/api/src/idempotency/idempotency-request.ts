import { createHash } from 'node:crypto';

/** Header name (lower case, as Node delivers it). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAY_HEADER = 'Idempotency-Replay';
export const IDEMPOTENCY_KEY_RESPONSE_HEADER = 'Idempotency-Key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Stored outcomes are replayed for 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Methods the key applies to (docs/contract.md §5); the SDK sends one on every request, others ignore it. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['POST', 'PATCH']);

export const idempotencyMessages = {
  tooLong: (key: string) => `idempotencyKey "${key}" has exceeded the maximum allowed length of ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
  inProgress: (key: string) => `Request with key "${key}" is currently being processed. Please retry after 1 second`,
  bodyMismatch: (key: string) => `Request with key "${key}" is being reused for a different body`,
  unverifiable: (key: string) => `Request with key "${key}" cannot be matched to its stored outcome; send it with a new key`,
};

export interface FingerprintInput {
  readonly method: string;
  /** The request path without the query string (so a key reused on another integration id differs). */
  readonly path: string;
  /** The caller's environment: the same key and body aimed at another environment is another request. */
  readonly environmentId: string;
  /** The parsed JSON body (undefined when there is none). */
  readonly body: unknown;
}

/**
 * SHA-256 of a canonical JSON of method, path, environment and body: key order does not matter.
 * Never stored as it is (it could be tested offline against guessed credentials): the stored
 * fingerprint is its HMAC, see `IdempotencyFingerprints`.
 */
export function requestDigest(input: FingerprintInput): Buffer {
  const canonical = canonicalJson({
    method: input.method.toUpperCase(),
    path: input.path,
    environmentId: input.environmentId,
    body: input.body === undefined ? null : input.body,
  });
  return createHash('sha256').update(canonical).digest();
}

/** JSON with object keys sorted at every depth; `undefined` members are dropped, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** The path part of a request URL. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
