import { Injectable } from '@nestjs/common';
import { Integration, supportsPrimary } from '../../domain/integration';
import { Actor } from '../actor';
import { IntegrationRepository } from '../ports/integration.repository';
import { UnitOfWork } from '../ports/unit-of-work';
import { findWritableIntegration, reorderActive } from '../shared/integration-rules';

export interface DeleteIntegrationCommand {
  readonly actor: Actor;
  readonly integrationId: string;
  /** Whether the caller will see credential values of the remaining integrations (default true). */
  readonly includeSecrets?: boolean;
}

/**
 * Soft-deletes an integration (spec §4): it disappears everywhere, frees its identifier, and the
 * remaining active integrations of its channel are renumbered. Returns what remains in that environment.
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
      await this.integrations.lockChannel(found, found.channel);
      const current = await findWritableIntegration(this.integrations, command.actor, command.integrationId);
      await this.integrations.softDelete(current, current.id, command.actor.userId, new Date());
      if (supportsPrimary(current)) await reorderActive(this.integrations, current, current.channel!);
      return this.integrations.listByEnvironment(current, { withoutSecrets: command.includeSecrets === false });
    });
  }
}
