import { Injectable } from '@nestjs/common';
import { SelectionCache } from '../selection-cache/selection-cache';
import { IntegrationRepository } from '../ports/integration.repository';
import { EnvironmentScope, Integration } from '../../domain/integration';
import { SelectionCandidate, selectIntegration } from '../../domain/integration-selection';
import { SelectIntegrationCommand } from './select-integration.command';

export type { SelectionCandidate } from '../../domain/integration-selection';

export interface IntegrationSelection {
  /** The integration that delivers, credentials decrypted; absent when none qualifies. */
  readonly integration?: Integration;
  /** What to try next when it fails, in order. */
  readonly fallbacks: readonly Integration[];
  /** Every active integration of the channel, with why it was taken or passed over. */
  readonly candidates: readonly SelectionCandidate[];
}

/**
 * The delivery-time read (docs/contract.md §8): which integration sends this message, and what to
 * fail over to. Served from the in-process `SelectionCache` when it holds the channel; a cold
 * selection is one SELECT of the channel's active rows (decrypting only those).
 *
 * Returned integrations are shared with the cache and frozen: read them, do not change them.
 */
@Injectable()
export class SelectIntegration {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly cache: SelectionCache,
  ) {}

  async execute(command: SelectIntegrationCommand): Promise<IntegrationSelection> {
    const rows = await this.activeOfChannel(command);
    const outcome = selectIntegration(rows, command);
    return {
      ...(outcome.integration ? { integration: outcome.integration } : {}),
      fallbacks: outcome.fallbacks,
      candidates: outcome.candidates,
    };
  }

  private async activeOfChannel(command: SelectIntegrationCommand): Promise<readonly Integration[]> {
    const { organizationId, environmentId, channel } = command;
    const cached = this.cache.read(organizationId, environmentId, channel);
    if (cached) return cached;
    const ticket = this.cache.ticket();
    const scope: EnvironmentScope = { organizationId, environmentId };
    const rows = await this.integrations.listActiveOfChannel(scope, channel);
    return this.cache.store(organizationId, environmentId, channel, ticket, rows);
  }
}
