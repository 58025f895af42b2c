import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EnvironmentDirectory, EnvironmentRef } from '../../application/ports/environment-directory';
import { currentManager } from './typeorm-unit-of-work';
import { isUuid } from './uuid';

/**
 * Reads the tenancy library's `environments` table with plain SQL: that table belongs to the
 * tenancy context, so this library declares no entity for it.
 */
@Injectable()
export class TypeOrmEnvironmentDirectory extends EnvironmentDirectory {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async find(environmentId: string): Promise<EnvironmentRef | undefined> {
    if (!isUuid(environmentId)) return undefined;
    const rows: { id: string; organization_id: string }[] = await currentManager(this.dataSource).query(
      'SELECT id, organization_id FROM environments WHERE id = $1',
      [environmentId],
    );
    const [row] = rows;
    return row ? { id: row.id, organizationId: row.organization_id } : undefined;
  }
}
