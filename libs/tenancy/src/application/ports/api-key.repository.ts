import { ApiKeyPrincipal, ApiKeySummary } from '../../domain/api-key';

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-found';

export abstract class ApiKeyRepository {
  /** The non-revoked key with this secret hash, with its environment's organization. */
  abstract findActivePrincipalByHash(keyHash: string): Promise<ApiKeyPrincipal | undefined>;

  /** Sets `revoked_at` unless it is already set (the first revocation time is kept). */
  abstract revoke(apiKeyId: string, at: Date): Promise<RevokeOutcome>;

  /** Every key of the organization's environments, revoked ones included, oldest first. */
  abstract listForOrganization(organizationId: string): Promise<ApiKeySummary[]>;

  /** Stores a new key of the environment (by the hash of its secret); returns its id and creation time. */
  abstract insert(environmentId: string, keyHash: string): Promise<{ readonly id: string; readonly createdAt: Date }>;

  /** Sets `last_used_at` to `at`, unless it already holds a time less than `minIntervalMs` before `at`. */
  abstract recordUse(apiKeyId: string, at: Date, minIntervalMs: number): Promise<void>;
}
