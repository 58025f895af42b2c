import { Injectable } from '@nestjs/common';
import { Environment } from '../../domain/environment';
import { isUuid } from '../../domain/uuid';
import { EnvironmentRepository } from '../ports/environment.repository';

/** Read side of environments, always scoped to an organization. */
@Injectable()
export class EnvironmentsQuery {
  constructor(private readonly environments: EnvironmentRepository) {}

  /** The environment if it belongs to the organization; undefined (without a query) for non-UUIDs. */
  async findInOrganization(organizationId: string, environmentId: string): Promise<Environment | undefined> {
    if (!isUuid(organizationId) || !isUuid(environmentId)) return undefined;
    return this.environments.findInOrganization(organizationId, environmentId);
  }

  /** Oldest first; empty for non-UUIDs. */
  async listForOrganization(organizationId: string): Promise<Environment[]> {
    if (!isUuid(organizationId)) return [];
    return this.environments.listForOrganization(organizationId);
  }
}
