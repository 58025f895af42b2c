import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OrganizationProvisioning, OrganizationRepository, ProvisionedOrganization } from '../../application/ports/organization.repository';
import { ApiKeyRecord } from './api-key.record';
import { EnvironmentRecord } from './environment.record';
import { OrganizationRecord } from './organization.record';
import { UserRecord } from './user.record';

@Injectable()
export class TypeOrmOrganizationRepository extends OrganizationRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  override provision(plan: OrganizationProvisioning): Promise<ProvisionedOrganization> {
    return this.dataSource.transaction(async (manager) => {
      const organizationId = randomUUID();
      await manager.insert(OrganizationRecord, { id: organizationId, name: plan.organizationName });

      const environments: { name: (typeof plan.environments)[number]['name']; id: string; apiKeyId: string }[] = [];
      for (const environment of plan.environments) {
        const id = randomUUID();
        const apiKeyId = randomUUID();
        await manager.insert(EnvironmentRecord, { id, organizationId, name: environment.name });
        await manager.insert(ApiKeyRecord, { id: apiKeyId, environmentId: id, keyHash: environment.apiKeyHash });
        environments.push({ name: environment.name, id, apiKeyId });
      }

      const userId = randomUUID();
      await manager.insert(UserRecord, { id: userId, organizationId, email: plan.user.email ?? null });
      return { organizationId, environments, userId };
    });
  }

  override count(): Promise<number> {
    return this.dataSource.getRepository(OrganizationRecord).count();
  }
}
