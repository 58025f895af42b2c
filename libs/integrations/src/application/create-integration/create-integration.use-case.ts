import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { capitalise, defaultIdentifier } from '../../domain/identifier';
import { EnvironmentScope, Integration, supportsPrimary } from '../../domain/integration';
import { IntegrationError } from '../../domain/integration.errors';
import { ProviderCatalog, ProviderDescriptor } from '../../domain/provider-catalog';
import { INTEGRATIONS_MODULE_OPTIONS, IntegrationsModuleOptions } from '../../integrations.module-definition';
import { CredentialsVerifier } from '../ports/credentials-verifier';
import { IntegrationRepository } from '../ports/integration.repository';
import { OutboundUrlPolicy } from '../ports/outbound-url-policy';
import { UnitOfWork } from '../ports/unit-of-work';
import {
  assertRequiredCredentials,
  placeNewlyActive,
  resolveTargetEnvironment,
  vetCredentials,
} from '../shared/integration-rules';
import { EnvironmentDirectory } from '../ports/environment-directory';
import { CreateIntegrationCommand } from './create-integration.command';

/** Novu's own demo providers, limited to one per environment. */
const NOVU_DEMO_PROVIDERS: ReadonlySet<string> = new Set(['novu', 'novu-email', 'novu-sms']);

/** Creates one integration in an environment (spec §3): defaults, catalog rules, primary placement. */
@Injectable()
export class CreateIntegration {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly environments: EnvironmentDirectory,
    private readonly unitOfWork: UnitOfWork,
    private readonly outboundUrls: OutboundUrlPolicy,
    private readonly verifier: CredentialsVerifier,
    @Inject(INTEGRATIONS_MODULE_OPTIONS) private readonly options: IntegrationsModuleOptions,
  ) {}

  async execute(command: CreateIntegrationCommand): Promise<Integration> {
    const scope = await resolveTargetEnvironment(this.environments, command.actor, command.environmentId);
    const kind = command.kind ?? 'delivery';
    const provider = this.findProvider(command);
    const active = command.active ?? false;
    const credentials = { ...(command.credentials ?? {}) };
    if (active) assertRequiredCredentials(provider, credentials);
    this.assertNovuDemoProviderAllowed(provider);
    await vetCredentials(this.outboundUrls, this.verifier, provider.id, credentials, command.check ?? false);

    const now = new Date();
    const name = command.name ?? provider.displayName ?? capitalise(provider.id);
    const integration: Integration = {
      id: randomUUID(),
      organizationId: scope.organizationId,
      environmentId: scope.environmentId,
      name,
      identifier: command.identifier ?? defaultIdentifier(name),
      providerId: provider.id,
      channel: kind === 'agent' ? undefined : provider.channel,
      kind,
      active,
      primary: false,
      priority: 0,
      credentials,
      configurations: { ...(command.configurations ?? {}) },
      conditions: [...(command.conditions ?? [])],
      deleted: false,
      createdAt: now,
      updatedAt: now,
    };

    // Placement and the demo-provider counts need writers of the channel serialised; anything else
    // only needs the identifier's unique index, so plain inactive creates run in parallel.
    const needsChannelLock = (integration.active && supportsPrimary(integration)) || NOVU_DEMO_PROVIDERS.has(provider.id);
    return this.unitOfWork.run(async () => {
      if (needsChannelLock) await this.integrations.lockChannel(scope, integration.channel);
      await this.assertNovuDemoProviderUnique(scope, provider);
      if (await this.integrations.identifierTaken(scope, integration.identifier)) {
        throw IntegrationError.identifierTaken();
      }
      if (integration.active && supportsPrimary(integration)) {
        await placeNewlyActive(this.integrations, scope, integration);
      }
      await this.integrations.insert(integration);
      return integration;
    });
  }

  private findProvider(command: CreateIntegrationCommand): ProviderDescriptor {
    const kind = command.kind ?? 'delivery';
    const provider = ProviderCatalog.find(command.providerId, kind);
    if (!provider) {
      throw IntegrationError.invalid({
        providerId: {
          // The message does not quote the caller's text (it may be anything, of any length); the
          // HTTP layer echoes `value` only when it is short.
          messages: [`providerId must be a known ${kind} provider; it is not in the catalog`],
          value: command.providerId,
        },
      });
    }
    if (command.channel !== undefined && command.channel !== provider.channel) {
      throw IntegrationError.invalid({
        channel: {
          messages: [`channel must be "${provider.channel}" for provider ${provider.id}`],
          value: command.channel,
        },
      });
    }
    return provider;
  }

  /** novu-email / novu-sms deliver through the server's own account: only when it has one. */
  private assertNovuDemoProviderAllowed(provider: ProviderDescriptor): void {
    const demo = this.options.novuDemoProviders ?? {};
    const allowed = provider.id === 'novu-email' ? demo.email : provider.id === 'novu-sms' ? demo.sms : true;
    if (!allowed) {
      throw new IntegrationError(
        'NOVU_PROVIDER_NOT_ALLOWED',
        `Creating Novu integration for ${provider.id} provider is not allowed`,
      );
    }
  }

  private async assertNovuDemoProviderUnique(scope: EnvironmentScope, provider: ProviderDescriptor): Promise<void> {
    if (provider.id === 'novu' && (await this.integrations.countByProvider(scope, 'novu')) > 0) {
      throw new IntegrationError('NOVU_IN_APP_EXISTS', 'One environment can only have one In app provider');
    }
    if (
      (provider.id === 'novu-email' || provider.id === 'novu-sms') &&
      (await this.integrations.countByProvider(scope, provider.id)) > 0
    ) {
      throw new IntegrationError(
        'NOVU_PROVIDER_EXISTS',
        `Integration with novu provider for ${provider.channel} channel already exists`,
      );
    }
  }
}
