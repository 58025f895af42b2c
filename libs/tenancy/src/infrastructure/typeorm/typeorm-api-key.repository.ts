import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyRepository, RevokeOutcome } from '../../application/ports/api-key.repository';
import { ApiKeyPrincipal } from '../../domain/api-key';
import { ApiKeyRecord } from './api-key.record';
import { EnvironmentRecord } from './environment.record';

@Injectable()
export class TypeOrmApiKeyRepository extends ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  override async findActivePrincipalByHash(keyHash: string): Promise<ApiKeyPrincipal | undefined> {
    const row = await this.dataSource
      .createQueryBuilder(ApiKeyRecord, 'k')
      .innerJoin(EnvironmentRecord, 'e', 'e.id = k.environmentId')
      .select('k.id', 'apiKeyId')
      .addSelect('e.id', 'environmentId')
      .addSelect('e.organizationId', 'organizationId')
      .where('k.keyHash = :keyHash', { keyHash })
      .andWhere('k.revokedAt IS NULL')
      .getRawOne<{ apiKeyId: string; environmentId: string; organizationId: string }>();
    return row ? { apiKeyId: row.apiKeyId, organizationId: row.organizationId, environmentId: row.environmentId } : undefined;
  }

  override async revoke(apiKeyId: string, at: Date): Promise<RevokeOutcome> {
    const repository = this.dataSource.getRepository(ApiKeyRecord);
    const result = await repository.update({ id: apiKeyId, revokedAt: IsNull() }, { revokedAt: at });
    if ((result.affected ?? 0) > 0) return 'revoked';
    return (await repository.exists({ where: { id: apiKeyId } })) ? 'already-revoked' : 'not-found';
  }
}
