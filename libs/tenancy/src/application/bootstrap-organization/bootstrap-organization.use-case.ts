import { Injectable } from '@nestjs/common';
import { generateApiKeySecret, hashApiKeySecret } from '../../domain/api-key-secret';
import { DEFAULT_ENVIRONMENT_NAMES } from '../../domain/environment';
import { DEFAULT_ORGANIZATION_NAME } from '../../domain/organization';
import { TenancyError } from '../../domain/tenancy.errors';
import { OrganizationRepository } from '../ports/organization.repository';
import { SessionTokens } from '../session-tokens/session-tokens';
import { BootstrapOrganizationCommand } from './bootstrap-organization.command';
import { BootstrapResult } from './bootstrap-result';

const MAX_ORGANIZATION_NAME_LENGTH = 200;

/**
 * Creates an organization with its Development and Production environments, one API key each and
 * one user, in one transaction; then signs a session token for that user (default environment:
 * Development). The API key secrets exist only in the result; the database keeps their hashes.
 */
@Injectable()
export class BootstrapOrganization {
  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly sessionTokens: SessionTokens,
  ) {}

  async execute(command: BootstrapOrganizationCommand = {}): Promise<BootstrapResult> {
    const organizationName = normalizeName(command.organizationName);
    const secrets = DEFAULT_ENVIRONMENT_NAMES.map(() => generateApiKeySecret());

    const provisioned = await this.organizations.provision({
      organizationName,
      environments: DEFAULT_ENVIRONMENT_NAMES.map((name, i) => ({ name, apiKeyHash: hashApiKeySecret(secrets[i]) })),
      user: {},
    });

    const environments = provisioned.environments.map((environment, i) => ({
      name: environment.name,
      id: environment.id,
      apiKey: secrets[i],
    }));
    const sessionToken = await this.sessionTokens.sign({
      userId: provisioned.userId,
      organizationId: provisioned.organizationId,
      environmentId: environments[0].id,
    });
    return { organizationId: provisioned.organizationId, environments, sessionToken };
  }
}

function normalizeName(name: string | undefined): string {
  if (name === undefined) return DEFAULT_ORGANIZATION_NAME;
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0 || trimmed.length > MAX_ORGANIZATION_NAME_LENGTH) throw TenancyError.invalidOrganizationName();
  return trimmed;
}
