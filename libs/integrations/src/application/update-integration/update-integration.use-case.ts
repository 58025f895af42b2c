import { Injectable } from '@nestjs/common';
import { IntegrationError } from '../../domain/integration.errors';
import { findWritableIntegration, resolveTargetEnvironment } from '../access/integration-access';
import { CredentialsVetting } from '../credentials-vetting/credentials-vetting';
import { IntegrationWriteResult } from '../integration-write-result';
import { CredentialsCheckObserver, IgnoredCredentialsChecks } from '../ports/credentials-check-observer';
import { CredentialsVerifier } from '../ports/credentials-verifier';
import { EnvironmentDirectory } from '../ports/environment-directory';
import { IntegrationRepository } from '../ports/integration.repository';
import { OutboundUrlPolicy } from '../ports/outbound-url-policy';
import { UnitOfWork } from '../ports/unit-of-work';
import { UpdateIntegrationCommand } from './update-integration.command';

const UPDATABLE = ['name', 'identifier', 'environmentId', 'active', 'credentials', 'check', 'conditions', 'configurations'] as const;

/** Changes an integration (docs/contract.md §4 PUT). The rules live in `ChannelIntegrations.update`. */
@Injectable()
export class UpdateIntegration {
  private readonly vetting: CredentialsVetting;

  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly environments: EnvironmentDirectory,
    private readonly unitOfWork: UnitOfWork,
    outboundUrls: OutboundUrlPolicy,
    verifier: CredentialsVerifier,
    checks: CredentialsCheckObserver = new IgnoredCredentialsChecks(),
  ) {
    this.vetting = new CredentialsVetting(outboundUrls, verifier, checks);
  }

  async execute(command: UpdateIntegrationCommand): Promise<IntegrationWriteResult> {
    if (!UPDATABLE.some((field) => command[field] !== undefined)) {
      throw new IntegrationError('NO_PROPERTIES_TO_UPDATE', 'No properties found for update');
    }
    const found = await findWritableIntegration(this.integrations, command.actor, command.integrationId);
    if (command.environmentId !== undefined) {
      const target = await resolveTargetEnvironment(this.environments, command.actor, command.environmentId);
      if (target.environmentId !== found.environmentId) {
        throw IntegrationError.invalid({
          _environmentId: {
            messages: ['_environmentId must be the environment the integration belongs to'],
            value: command.environmentId,
          },
        });
      }
    }

    // Outside the transaction: a credentials check may take seconds. The set that will be stored
    // is the one checked: the given credentials, else the stored ones.
    const credentialsCheck = await this.vetting.vet(found, command.credentials ?? found.credentials, command.check ?? false);

    return this.unitOfWork.run(async () => {
      const channel = await this.integrations.loadChannel(found, found.channel);
      const integration = await findWritableIntegration(this.integrations, command.actor, command.integrationId);
      const previousIdentifier = integration.identifier;
      channel.update(integration, command);
      if (
        integration.identifier !== previousIdentifier &&
        (await this.integrations.identifierTaken(integration, integration.identifier, integration.id))
      ) {
        throw IntegrationError.identifierTaken();
      }
      await this.integrations.saveChannel(channel);
      return { integration, ...(credentialsCheck ? { credentialsCheck } : {}) };
    });
  }
}
