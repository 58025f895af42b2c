import { Injectable, Logger } from '@nestjs/common';
import { ApiKeyPrincipal } from '../../domain/api-key';
import { hashApiKeySecret } from '../../domain/api-key-secret';
import { ApiKeyLookupObserver, IgnoredApiKeyLookups } from '../ports/api-key-lookup-observer';
import { ApiKeyRepository } from '../ports/api-key.repository';
import { ApiKeyCache } from '../api-key-cache/api-key-cache';
import { ApiKeyUsage } from '../api-key-usage/api-key-usage';

/** Longer values are refused without a lookup (our secrets are 64 characters). */
const MAX_SECRET_LENGTH = 512;

/**
 * Resolves an API key secret to its key, environment and organization; undefined for unknown or
 * revoked keys. Successful lookups are cached (see ApiKeyCache); misses are not, so a new key works
 * at once. Every accepted key is reported to ApiKeyUsage (`last_used_at`, at most once a minute).
 */
@Injectable()
export class AuthenticateApiKey {
  /** Debug level only; names the key by its id, never by its secret or hash. */
  private readonly logger = new Logger('ApiKeyCache');

  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
    private readonly lookups: ApiKeyLookupObserver = new IgnoredApiKeyLookups(),
    private readonly usage?: ApiKeyUsage,
  ) {}

  async execute(secret: string): Promise<ApiKeyPrincipal | undefined> {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_LENGTH) return undefined;
    const keyHash = hashApiKeySecret(secret);
    const cached = this.cache.get(keyHash);
    this.lookups.looked(cached ? 'hit' : 'miss');
    if (cached) {
      this.logger.debug(`API-key cache hit: key ${cached.apiKeyId}`);
      this.usage?.record(cached.apiKeyId);
      return cached;
    }

    const generation = this.cache.generation;
    const principal = await this.apiKeys.findActivePrincipalByHash(keyHash);
    if (principal) {
      this.cache.set(keyHash, principal, generation);
      this.usage?.record(principal.apiKeyId);
    }
    this.logger.debug(principal ? `API-key cache miss: key ${principal.apiKeyId} loaded` : 'API-key cache miss: no active key matches');
    return principal;
  }
}
