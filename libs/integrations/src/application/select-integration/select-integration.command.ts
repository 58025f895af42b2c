import { ChannelType } from '../../domain/integration';

/** Which integration delivers a message of this environment and channel (docs/contract.md §8). */
export interface SelectIntegrationCommand {
  readonly organizationId: string;
  readonly environmentId: string;
  readonly channel: ChannelType;
  /** Only integrations of this provider. */
  readonly providerId?: string;
  /** That integration (active, of this environment and channel), or none. */
  readonly identifier?: string;
  /** Same as `identifier`, by id; with both, the integration must match both. */
  readonly integrationId?: string;
  /** Evaluate conditions for this tenant. */
  readonly tenant?: { readonly identifier: string; readonly name?: string; readonly data?: Record<string, unknown> };
}
