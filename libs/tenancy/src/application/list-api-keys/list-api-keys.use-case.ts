import { Injectable } from '@nestjs/common';
import { ApiKeySummary } from '../../domain/api-key';
import { TenancyError } from '../../domain/tenancy.errors';
import { isUuid } from '../../domain/uuid';
import { ApiKeyRepository } from '../ports/api-key.repository';
import { EnvironmentRepository } from '../ports/environment.repository';

/**
 * The API keys of every environment of an organization, revoked ones included, oldest first: ids,
 * environments, creation, last use and revocation times. Never a secret or a hash. Throws
 * `ORGANIZATION_NOT_FOUND` when the organization has no environment (every organization is created
 * with two, so it does not exist).
 */
@Injectable()
export class ListApiKeys {
  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly environments: EnvironmentRepository,
  ) {}

  async execute(command: { readonly organizationId: string }): Promise<ApiKeySummary[]> {
    const { organizationId } = command;
    if (!isUuid(organizationId)) throw TenancyError.organizationNotFound(String(organizationId));
    if ((await this.environments.listForOrganization(organizationId)).length === 0) throw TenancyError.organizationNotFound(organizationId);
    return this.apiKeys.listForOrganization(organizationId);
  }
}
