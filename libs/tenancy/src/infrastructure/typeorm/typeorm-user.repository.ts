import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UserRepository } from '../../application/ports/user.repository';
import { User } from '../../domain/user';
import { UserRecord } from './user.record';

@Injectable()
export class TypeOrmUserRepository extends UserRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  override async findInOrganization(organizationId: string, userId?: string): Promise<User | undefined> {
    const record = await this.dataSource.getRepository(UserRecord).findOne({
      where: userId === undefined ? { organizationId } : { id: userId, organizationId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return record
      ? {
          id: record.id,
          organizationId: record.organizationId,
          createdAt: record.createdAt,
          ...(record.email ? { email: record.email } : {}),
        }
      : undefined;
  }
}
