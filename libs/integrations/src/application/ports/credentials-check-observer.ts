import type { CredentialsCheckFailureReason } from '../../domain/credentials-check.errors';

/**
 * What one credentials check (`check: true`, docs/contract.md §6) came to: the provider accepted the
 * credentials, no check exists for it (saved unchecked), or the check failed for `reason`.
 */
export type CredentialsCheckReport =
  | { readonly outcome: 'verified' }
  | { readonly outcome: 'unsupported' }
  | { readonly outcome: 'failed'; readonly reason: CredentialsCheckFailureReason };

/**
 * Told about every credentials check as it is decided, so that a host can count them (the API's
 * Prometheus metrics do) without this library depending on a metrics client. Must not throw and
 * must return at once: it runs on the request's path.
 */
export abstract class CredentialsCheckObserver {
  abstract checked(providerId: string, report: CredentialsCheckReport): void;
}

/** The default observer: a host that gives none counts nothing. */
export class IgnoredCredentialsChecks extends CredentialsCheckObserver {
  checked(): void {}
}
