import { Injectable } from '@nestjs/common';
import { Integration } from '../../domain/integration';
import { Actor } from '../actor';
import { findWritableIntegration } from '../access/integration-access';
import { IntegrationRepository } from '../ports/integration.repository';
import { UnitOfWork } from '../ports/unit-of-work';

export interface DeleteIntegrationCommand {
  readonly actor: Actor;
  readonly integrationId: string;
  /** Whether the caller will see credential values of the remaining integrations (default true). */
  readonly includeSecrets?: boolean;
}

/**
 * Soft-deletes an integration (docs/contract.md §4; the rules live in `ChannelIntegrations.remove`)
 * and returns what remains in its environment.
 */
@Injectable()
export class DeleteIntegration {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute(command: DeleteIntegrationCommand): Promise<Integration[]> {
    const found = await findWritableIntegration(this.integrations, command.actor, command.integrationId);
    return this.unitOfWork.run(async () => {
      const channel = await this.integrations.loadChannel(found, found.channel);
      const integration = await findWritableIntegration(this.integrations, command.actor, command.integrationId);
      channel.remove(integration, command.actor.userId);
      await this.integrations.saveChannel(channel);
      return this.integrations.listByEnvironment(integration, { withoutSecrets: command.includeSecrets === false });
    });
  }
}
