import { Injectable } from '@nestjs/common';
import { Integration } from '../../domain/integration';
import { Actor } from '../actor';
import { findWritableIntegration } from '../access/integration-access';
import { IntegrationRepository } from '../ports/integration.repository';
import { UnitOfWork } from '../ports/unit-of-work';

export interface SetIntegrationAsPrimaryCommand {
  readonly actor: Actor;
  readonly integrationId: string;
}

/**
 * Makes an email/sms integration the primary of its channel (docs/contract.md §4). The rules live
 * in `ChannelIntegrations.setPrimary`; already primary → returned unchanged, nothing written.
 */
@Injectable()
export class SetIntegrationAsPrimary {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute(command: SetIntegrationAsPrimaryCommand): Promise<Integration> {
    const found = await findWritableIntegration(this.integrations, command.actor, command.integrationId);
    found.assertSupportsPrimary();

    return this.unitOfWork.run(async () => {
      const channel = await this.integrations.loadChannel(found, found.channel);
      const integration = await findWritableIntegration(this.integrations, command.actor, command.integrationId);
      if (channel.setPrimary(integration)) await this.integrations.saveChannel(channel);
      return integration;
    });
  }
}
