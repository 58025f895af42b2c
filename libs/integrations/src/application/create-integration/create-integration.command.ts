import { StepFilter } from '../../domain/conditions';
import { ChannelType, Configurations, Credentials, IntegrationKind } from '../../domain/integration';
import { Actor } from '../actor';

/** A validated create request plus who asks. Every field but `providerId` is optional (docs/contract.md §3). */
export interface CreateIntegrationCommand {
  readonly actor: Actor;
  readonly providerId: string;
  readonly channel?: ChannelType;
  readonly kind?: IntegrationKind;
  readonly name?: string;
  readonly identifier?: string;
  /** Target environment; defaults to the actor's. */
  readonly environmentId?: string;
  readonly credentials?: Credentials;
  readonly active?: boolean;
  readonly check?: boolean;
  readonly conditions?: readonly StepFilter[];
  readonly configurations?: Configurations;
}
