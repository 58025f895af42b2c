import { Injectable } from '@nestjs/common';
import { Integration, supportsPrimary } from '../../domain/integration';
import { IntegrationError } from '../../domain/integration.errors';
import { ProviderCatalog } from '../../domain/provider-catalog';
import { EnvironmentDirectory } from '../ports/environment-directory';
import { CredentialsVerifier } from '../ports/credentials-verifier';
import { IntegrationRepository } from '../ports/integration.repository';
import { OutboundUrlPolicy } from '../ports/outbound-url-policy';
import { UnitOfWork } from '../ports/unit-of-work';
import {
  assertRequiredCredentials,
  findWritableIntegration,
  placeNewlyActive,
  reorderActive,
  resolveTargetEnvironment,
  vetCredentials,
} from '../shared/integration-rules';
import { UpdateIntegrationCommand } from './update-integration.command';

const UPDATABLE = [
  'name',
  'identifier',
  'environmentId',
  'active',
  'credentials',
  'check',
  'conditions',
  'configurations',
] as const;

/** Changes an integration (spec §4 PUT): same rules as create, plus primary recomputation. */
@Injectable()
export class UpdateIntegration {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly environments: EnvironmentDirectory,
    private readonly unitOfWork: UnitOfWork,
    private readonly outboundUrls: OutboundUrlPolicy,
    private readonly verifier: CredentialsVerifier,
  ) {}

  async execute(command: UpdateIntegrationCommand): Promise<Integration> {
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
    await vetCredentials(
      this.outboundUrls,
      this.verifier,
      found.providerId,
      command.credentials ?? found.credentials,
      command.check ?? false,
    );

    return this.unitOfWork.run(async () => {
      await this.integrations.lockChannel(found, found.channel);
      const current = await findWritableIntegration(this.integrations, command.actor, command.integrationId);
      const next = this.applyChanges(current, command);

      if (next.identifier !== current.identifier && (await this.integrations.identifierTaken(current, next.identifier, current.id))) {
        throw IntegrationError.identifierTaken();
      }

      if (supportsPrimary(next)) {
        if (next.active && !current.active) {
          await placeNewlyActive(this.integrations, current, next);
        } else if (!next.active) {
          next.primary = false;
          next.priority = 0;
        }
        if (next.primary && next.conditions.length > 0) next.primary = false;
      }

      await this.integrations.update(next);
      if (supportsPrimary(next)) await reorderActive(this.integrations, current, next.channel!);
      return (await this.integrations.findById(current.organizationId, current.id)) ?? next;
    });
  }

  private applyChanges(current: Integration, command: UpdateIntegrationCommand): Integration {
    const next: Integration = {
      ...current,
      name: command.name ?? current.name,
      identifier: command.identifier ?? current.identifier,
      active: command.active ?? current.active,
      credentials: command.credentials !== undefined ? { ...command.credentials } : current.credentials,
      configurations: command.configurations !== undefined ? { ...command.configurations } : current.configurations,
      conditions: command.conditions !== undefined ? [...command.conditions] : current.conditions,
      updatedAt: new Date(),
    };
    const provider = ProviderCatalog.find(current.providerId, current.kind);
    if (next.active && provider) assertRequiredCredentials(provider, next.credentials);
    return next;
  }
}
