import { ChannelIntegrations } from '../../domain/channel-integrations';
import { ChannelType, EnvironmentScope, Integration } from '../../domain/integration';

export interface ListFilter {
  /** Only `active: true` integrations. */
  readonly activeOnly?: boolean;
  /**
   * Leave secrets encrypted: `credentials` come back as `{}` and the webhook signing key is left
   * out, and nothing is decrypted. For callers that may not see them anyway.
   */
  readonly withoutSecrets?: boolean;
}

export interface LoadChannelOptions {
  /** The provider of an integration about to be created: when it is a Novu demo provider, whether one exists is loaded too. */
  readonly admitting?: string;
  /**
   * Load only the first `head` members of the ordering (highest first) instead of all: for a
   * create, whose placement reads only the highest (`ChannelIntegrations.MEMBERS_READ_TO_ADMIT`),
   * so that its cost does not grow with the channel.
   */
  readonly head?: number;
}

/**
 * Persistence of integrations. Every read is scoped to a tenant; deleted rows are invisible to
 * every method. Calls made inside `UnitOfWork.run` share its transaction.
 */
export abstract class IntegrationRepository {
  /**
   * Takes the lock of one environment+channel (of the environment's agent integrations when
   * `channel` is undefined) until the surrounding UnitOfWork transaction ends, then loads that
   * channel's aggregate. Must be called inside `UnitOfWork.run`; writers of the channel load it
   * first, so they run one after the other.
   */
  abstract loadChannel(
    scope: EnvironmentScope,
    channel: ChannelType | undefined,
    options?: LoadChannelOptions,
  ): Promise<ChannelIntegrations>;

  /**
   * Makes the aggregate's `pendingWrites()` in their order (inserts and updates encrypt credentials
   * and the webhook signing key on the way). Throws `IntegrationError.identifierTaken()` when the
   * identifier's unique index refuses a write.
   */
  abstract saveChannel(channel: ChannelIntegrations): Promise<void>;

  /**
   * Stores a new integration that no other integration's state depends on (see
   * `ChannelIntegrations.governsCreationOf`), without the channel lock. Same encryption and 409 rule.
   */
  abstract insert(integration: Integration): Promise<void>;

  /** Whether a non-deleted integration of the environment already uses this identifier. */
  abstract identifierTaken(scope: EnvironmentScope, identifier: string, exceptId?: string): Promise<boolean>;

  /** A non-deleted integration of the organization, or undefined. `id` may be any string. */
  abstract findById(organizationId: string, id: string): Promise<Integration | undefined>;

  /** Non-deleted integrations of the whole organization, oldest first. */
  abstract listByOrganization(organizationId: string, filter?: ListFilter): Promise<Integration[]>;

  /** Non-deleted integrations of one environment, oldest first. */
  abstract listByEnvironment(scope: EnvironmentScope, filter?: ListFilter): Promise<Integration[]>;

  /**
   * The active, non-deleted delivery integrations of one environment and channel, credentials
   * decrypted, in one statement (the selection's cold read, docs/contract.md §8). Any order.
   */
  abstract listActiveOfChannel(scope: EnvironmentScope, channel: ChannelType): Promise<Integration[]>;
}
