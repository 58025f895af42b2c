import { Injectable } from '@nestjs/common';
import { ChannelIntegrations } from '../../domain/channel-integrations';
import { Integration } from '../../domain/integration';
import { NovuDemoProviders } from '../../domain/novu-demo-providers';
import { ActorEnvironments, resolveTargetEnvironment } from '../access/integration-access';
import { CredentialsVetting } from '../credentials-vetting/credentials-vetting';
import { IntegrationWriteResult } from '../integration-write-result';
import { CredentialsCheckObserver, IgnoredCredentialsChecks } from '../ports/credentials-check-observer';
import { CredentialsVerifier } from '../ports/credentials-verifier';
import { EnvironmentDirectory } from '../ports/environment-directory';
import { IntegrationRepository } from '../ports/integration.repository';
import { OutboundUrlPolicy } from '../ports/outbound-url-policy';
import { UnitOfWork } from '../ports/unit-of-work';
import { CreateIntegrationCommand } from './create-integration.command';

/** Creates one integration in an environment (docs/contract.md §3). The rules live in `Integration.create` and `ChannelIntegrations.admit`. */
@Injectable()
export class CreateIntegration {
  private readonly vetting: CredentialsVetting;

  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly environments: EnvironmentDirectory,
    private readonly unitOfWork: UnitOfWork,
    outboundUrls: OutboundUrlPolicy,
    verifier: CredentialsVerifier,
    private readonly demoProviders: NovuDemoProviders,
    checks: CredentialsCheckObserver = new IgnoredCredentialsChecks(),
    private readonly actorEnvironments: ActorEnvironments = new ActorEnvironments(),
  ) {
    this.vetting = new CredentialsVetting(outboundUrls, verifier, checks);
  }

  async execute(command: CreateIntegrationCommand): Promise<IntegrationWriteResult> {
    const scope = await resolveTargetEnvironment(this.environments, command.actor, command.environmentId, this.actorEnvironments);
    const integration = Integration.create({ ...command, scope }, this.demoProviders);
    const credentialsCheck = await this.vetting.vet(integration, integration.credentials, command.check ?? false);

    const result = { integration, ...(credentialsCheck ? { credentialsCheck } : {}) };
    // Placement and the demo-provider rule need the channel's writers serialised; any other
    // create is one INSERT, which the identifier's unique index guards (a taken identifier is its
    // 409): no transaction of its own, so plain creates run in parallel.
    if (!ChannelIntegrations.governsCreationOf(integration)) {
      await this.unitOfWork.runStatement(() => this.integrations.insert(integration));
      return result;
    }
    return this.unitOfWork.run(async () => {
      const channel = await this.integrations.loadChannel(scope, integration.channel, {
        admitting: integration.providerId,
        head: ChannelIntegrations.MEMBERS_READ_TO_ADMIT,
      });
      channel.admit(integration);
      await this.integrations.saveChannel(channel);
      return result;
    });
  }
}
