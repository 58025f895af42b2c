import { ChannelType, EnvironmentScope, Integration } from '../../domain/integration';
import { PriorityHolder } from '../../domain/primary-placement';

export interface PlacementChange {
  readonly id: string;
  readonly primary: boolean;
  readonly priority: number;
}

export interface ListFilter {
  /** Only `active: true` integrations. */
  readonly activeOnly?: boolean;
  /**
   * Leave secrets encrypted: `credentials` come back as `{}` and the webhook signing key is left
   * out, and nothing is decrypted. For callers that may not see them anyway.
   */
  readonly withoutSecrets?: boolean;
}

/**
 * Persistence of integrations. Every read is scoped to a tenant; deleted rows are invisible to
 * every method. Calls made inside `UnitOfWork.run` share its transaction.
 */
export abstract class IntegrationRepository {
  /**
   * Serialises writers of one environment+channel (or one environment's agent integrations when
   * `channel` is undefined) until the surrounding UnitOfWork transaction ends. Must be called inside
   * `UnitOfWork.run`.
   */
  abstract lockChannel(scope: EnvironmentScope, channel: ChannelType | undefined): Promise<void>;

  /** The active delivery integration of that channel with the highest priority. */
  abstract findHighestPriorityActive(scope: EnvironmentScope, channel: ChannelType): Promise<PriorityHolder | undefined>;

  /** Id, priority and primary flag of the active delivery integrations of that channel, highest first. */
  abstract listActivePriorities(scope: EnvironmentScope, channel: ChannelType): Promise<PriorityHolder[]>;

  /** Whether a non-deleted integration of the environment already uses this identifier. */
  abstract identifierTaken(scope: EnvironmentScope, identifier: string, exceptId?: string): Promise<boolean>;

  /** How many non-deleted integrations of the environment use this provider. */
  abstract countByProvider(scope: EnvironmentScope, providerId: string): Promise<number>;

  /**
   * Stores a new integration (credentials and the webhook signing key are encrypted on the way).
   * Throws `IntegrationError.identifierTaken()` when the database's unique index refuses it.
   */
  abstract insert(integration: Integration): Promise<void>;

  /** Replaces every mutable field of an existing integration (same encryption and 409 rules). */
  abstract update(integration: Integration): Promise<void>;

  /**
   * Applies primary/priority changes to integrations of one environment, clearing flags before
   * setting them so that the one-primary constraint holds after every statement.
   */
  abstract applyPlacements(scope: EnvironmentScope, changes: readonly PlacementChange[]): Promise<void>;

  /** A non-deleted integration of the organization, or undefined. `id` may be any string. */
  abstract findById(organizationId: string, id: string): Promise<Integration | undefined>;

  /** Non-deleted integrations of the whole organization, oldest first. */
  abstract listByOrganization(organizationId: string, filter?: ListFilter): Promise<Integration[]>;

  /** Non-deleted integrations of one environment, oldest first. */
  abstract listByEnvironment(scope: EnvironmentScope, filter?: ListFilter): Promise<Integration[]>;

  /** Soft delete: sets `deleted`, `deletedAt`, `deletedBy`, clears primary. */
  abstract softDelete(scope: EnvironmentScope, id: string, deletedBy: string | undefined, at: Date): Promise<void>;
}
