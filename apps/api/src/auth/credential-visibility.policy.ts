import { Actor, Configurations } from '@app/integrations';

/**
 * The one place that decides whether a caller may see credential values (and the other secrets an
 * integration holds, such as the inbound-webhook signing key), and what such a caller gets instead.
 *
 * Session (dashboard) users see the decrypted values; API-key callers never do, so that a leaked API
 * key does not become a leak of every provider credential of the environment.
 */
export function maySeeCredentialValues(actor: Pick<Actor, 'kind'> | undefined): boolean {
  return actor?.kind === 'session';
}

/** Configuration keys that hold secrets: returned only to callers who may see credential values. */
export const SECRET_CONFIGURATION_KEYS: ReadonlySet<string> = new Set<keyof Configurations>(['inboundWebhookSigningKey']);

/**
 * The wire form of one integration as a caller who may not see credential values receives it, on
 * every route and in idempotent replays: `credentials: {}` and `configurations` without its secret
 * keys; every other field as it is. `credentials` stays present (as `{}`, which reveals nothing)
 * because released SDKs (`@novu/api` up to 3.15, the generated SDKs of other languages) declare it
 * required and reject an answer without it.
 */
export function withoutSecretValues<T extends object>(integration: T): T {
  const out: Record<string, unknown> = { ...integration, credentials: {} };
  const configurations = out.configurations;
  if (configurations !== undefined) {
    out.configurations = isRecord(configurations)
      ? Object.fromEntries(Object.entries(configurations).filter(([key]) => !SECRET_CONFIGURATION_KEYS.has(key)))
      : {};
  }
  return out as T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
