import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EnvironmentRepository } from '../../application/ports/environment.repository';
import { Environment } from '../../domain/environment';
import { EnvironmentRecord } from './environment.record';

@Injectable()
export class TypeOrmEnvironmentRepository extends EnvironmentRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  override async findInOrganization(organizationId: string, environmentId: string): Promise<Environment | undefined> {
    const record = await this.dataSource.getRepository(EnvironmentRecord).findOne({
      where: { id: environmentId, organizationId },
    });
    return record ? toEnvironment(record) : undefined;
  }

  override async findById(environmentId: string): Promise<Environment | undefined> {
    const record = await this.dataSource.getRepository(EnvironmentRecord).findOne({ where: { id: environmentId } });
    return record ? toEnvironment(record) : undefined;
  }

  override async listForOrganization(organizationId: string): Promise<Environment[]> {
    const records = await this.dataSource.getRepository(EnvironmentRecord).find({
      where: { organizationId },
      order: { createdAt: 'ASC', name: 'ASC' },
    });
    return records.map(toEnvironment);
  }
}

function toEnvironment(record: EnvironmentRecord): Environment {
  return { id: record.id, name: record.name, organizationId: record.organizationId };
}
