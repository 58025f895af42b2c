import { ChannelType } from '../../domain/integration';

/** What the selection cache hears from the change feed. */
export interface ChannelChangeListener {
  /** An integration of this environment and channel was written (on any instance) and committed. */
  changed(environmentId: string, channel: ChannelType): void;
  /** The feed is listening (again): changes in between may have been missed, drop everything. */
  reset(): void;
  /** The feed stopped listening: nothing cached can be trusted until the next `reset`. */
  down(): void;
}

/**
 * Committed writes to integrations, from every instance sharing the database (docs/contract.md §8,
 * the cache). Implemented with PostgreSQL LISTEN/NOTIFY on a dedicated connection.
 */
export abstract class IntegrationChangeFeed {
  /** Starts delivering to `listener`; `reset` is called each time the feed is (re)connected. */
  abstract subscribe(listener: ChannelChangeListener): void;
}
