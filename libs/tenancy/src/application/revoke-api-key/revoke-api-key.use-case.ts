import { Injectable } from '@nestjs/common';
import { isUuid } from '../../domain/uuid';
import { TenancyError } from '../../domain/tenancy.errors';
import { ApiKeyCache } from '../api-key-cache/api-key-cache';
import { ApiKeyRepository } from '../ports/api-key.repository';
import { Clock } from '../ports/clock';

/**
 * Revokes an API key: sets `revoked_at` (idempotent: revoking twice keeps the first time) and drops
 * the key from this process's cache. The repository announces the revocation in the same
 * transaction (PostgreSQL `pg_notify('api_key_revoked', <key id>)`, delivered on commit), and every
 * process's ApiKeyRevocations drops the key from its own cache on arrival. Throws
 * `API_KEY_NOT_FOUND` for unknown ids.
 */
@Injectable()
export class RevokeApiKey {
  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
    private readonly clock: Clock,
  ) {}

  async execute(apiKeyId: string): Promise<void> {
    if (!isUuid(apiKeyId)) throw TenancyError.apiKeyNotFound(String(apiKeyId));
    try {
      const outcome = await this.apiKeys.revoke(apiKeyId, this.clock.now());
      if (outcome === 'not-found') throw TenancyError.apiKeyNotFound(apiKeyId);
    } finally {
      this.cache.invalidate(apiKeyId);
    }
  }
}
