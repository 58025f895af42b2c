import { Injectable } from '@nestjs/common';
import { Integration, supportsPrimary } from '../../domain/integration';
import { IntegrationError } from '../../domain/integration.errors';
import { ProviderCatalog } from '../../domain/provider-catalog';
import { Actor } from '../actor';
import { IntegrationRepository } from '../ports/integration.repository';
import { UnitOfWork } from '../ports/unit-of-work';
import { assertRequiredCredentials, findWritableIntegration, reorderActive } from '../shared/integration-rules';

export interface SetIntegrationAsPrimaryCommand {
  readonly actor: Actor;
  readonly integrationId: string;
}

/**
 * Makes an email/sms integration the primary of its channel (spec §4): active, no conditions, top
 * priority; the previous primary loses the flag. Already primary → returned unchanged. Otherwise the
 * integration ends up active, so it must carry its provider's required credentials, as on create
 * and update (422 naming each missing `credentials.<key>`, nothing changed).
 */
@Injectable()
export class SetIntegrationAsPrimary {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute(command: SetIntegrationAsPrimaryCommand): Promise<Integration> {
    const found = await findWritableIntegration(this.integrations, command.actor, command.integrationId);
    if (!supportsPrimary(found)) {
      throw new IntegrationError('PRIMARY_NOT_SUPPORTED', `Channel ${found.channel ?? found.kind} does not support primary`);
    }

    return this.unitOfWork.run(async () => {
      await this.integrations.lockChannel(found, found.channel);
      const current = await findWritableIntegration(this.integrations, command.actor, command.integrationId);
      if (current.primary) return current;
      // the result is active, so the rule of create and update applies (update re-judges an
      // already active row too: a catalog change may have made a key required since)
      const provider = ProviderCatalog.find(current.providerId, current.kind);
      if (provider) assertRequiredCredentials(provider, current.credentials);

      const others = (await this.integrations.listActivePriorities(current, current.channel!)).filter(
        (other) => other.id !== current.id,
      );
      const demoted = others.filter((other) => other.primary);
      if (demoted.length > 0) {
        await this.integrations.applyPlacements(
          current,
          demoted.map((other) => ({ id: other.id, primary: false, priority: other.priority })),
        );
      }
      const top = others.reduce((max, other) => Math.max(max, other.priority), 0);
      const next: Integration = { ...current, active: true, primary: true, conditions: [], priority: top + 1, updatedAt: new Date() };
      await this.integrations.update(next);
      await reorderActive(this.integrations, current, current.channel!);
      return (await this.integrations.findById(current.organizationId, current.id)) ?? next;
    });
  }
}
