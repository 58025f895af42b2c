import { ApiKeyPrincipal } from '../../domain/api-key';

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-found';

export abstract class ApiKeyRepository {
  /** The non-revoked key with this secret hash, with its environment's organization. */
  abstract findActivePrincipalByHash(keyHash: string): Promise<ApiKeyPrincipal | undefined>;

  /** Sets `revoked_at` unless it is already set (the first revocation time is kept). */
  abstract revoke(apiKeyId: string, at: Date): Promise<RevokeOutcome>;
}
