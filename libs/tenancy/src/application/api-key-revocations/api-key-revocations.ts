import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ApiKeyCache } from '../api-key-cache/api-key-cache';
import { ApiKeyRevocationFeed } from '../ports/api-key-revocation-feed';

/**
 * Keeps this process's ApiKeyCache in step with revocations made anywhere (the CLI, another
 * instance): each announced key id is dropped from the cache; when the feed (re)starts listening
 * the whole cache is cleared, since announcements may have been missed meanwhile. So a revoked key
 * is refused by every instance as soon as the announcement arrives, not after the cache TTL.
 */
@Injectable()
export class ApiKeyRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly feed: ApiKeyRevocationFeed,
    private readonly cache: ApiKeyCache,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.feed.start({
      revoked: (apiKeyId) => this.cache.invalidate(apiKeyId),
      resynchronise: () => this.cache.clear(),
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.feed.stop();
  }
}
