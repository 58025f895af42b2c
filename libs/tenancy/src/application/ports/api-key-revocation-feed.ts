/** What the feed tells its subscriber. */
export interface ApiKeyRevocationSubscriber {
  /** Another (or this) process revoked the key with this id. */
  revoked(apiKeyId: string): void;
  /**
   * The feed (re)started listening: revocations sent while it was not listening were missed, so
   * everything cached may be stale.
   */
  resynchronise(): void;
}

/**
 * Revocations announced by every process that shares the database (PostgreSQL LISTEN/NOTIFY in
 * production). `start` resolves once the first attempt to listen has finished (successfully or
 * not: the feed keeps retrying in the background); `stop` ends it for good.
 */
export abstract class ApiKeyRevocationFeed {
  abstract start(subscriber: ApiKeyRevocationSubscriber): Promise<void>;
  abstract stop(): Promise<void>;
}
