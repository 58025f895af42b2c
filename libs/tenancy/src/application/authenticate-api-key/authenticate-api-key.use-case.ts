import { Injectable, Logger } from '@nestjs/common';
import { ApiKeyPrincipal } from '../../domain/api-key';
import { hashApiKeySecret } from '../../domain/api-key-secret';
import { ApiKeyRepository } from '../ports/api-key.repository';
import { ApiKeyCache } from '../api-key-cache/api-key-cache';

/** Longer values are refused without a lookup (our secrets are 64 characters). */
const MAX_SECRET_LENGTH = 512;

/**
 * Resolves an API key secret to its key, environment and organization; undefined for unknown or
 * revoked keys. Successful lookups are cached (see ApiKeyCache); misses are not, so a new key works
 * at once.
 */
@Injectable()
export class AuthenticateApiKey {
  /** Debug level only; names the key by its id, never by its secret or hash. */
  private readonly logger = new Logger('ApiKeyCache');

  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
  ) {}

  async execute(secret: string): Promise<ApiKeyPrincipal | undefined> {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_LENGTH) return undefined;
    const keyHash = hashApiKeySecret(secret);
    const cached = this.cache.get(keyHash);
    if (cached) {
      this.logger.debug(`API-key cache hit: key ${cached.apiKeyId}`);
      return cached;
    }

    const generation = this.cache.generation;
    const principal = await this.apiKeys.findActivePrincipalByHash(keyHash);
    if (principal) this.cache.set(keyHash, principal, generation);
    this.logger.debug(principal ? `API-key cache miss: key ${principal.apiKeyId} loaded` : 'API-key cache miss: no active key matches');
    return principal;
  }
}
