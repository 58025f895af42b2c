import { Actor } from '@app/integrations';

/**
 * The one place that decides whether a caller may see credential values (and the other secrets an
 * integration holds, such as the inbound-webhook signing key).
 *
 * Session (dashboard) users see the decrypted values; API-key callers never do, so that a leaked API
 * key does not become a leak of every provider credential of the environment.
 */
export function maySeeCredentialValues(actor: Pick<Actor, 'kind'>): boolean {
  return actor.kind === 'session';
}
