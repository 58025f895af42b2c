import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiKeyRepository, RevokeOutcome } from '../../application/ports/api-key.repository';
import { ApiKeyPrincipal, ApiKeySummary } from '../../domain/api-key';
import { ApiKeyRecord } from './api-key.record';
import { EnvironmentRecord } from './environment.record';

/** The channel of revocation announcements (see PgApiKeyRevocationFeed). */
export const API_KEY_REVOKED_CHANNEL = 'api_key_revoked';

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

  /**
   * One transaction: the update, then `pg_notify` (PostgreSQL delivers it on commit, never on
   * rollback). An already revoked key is announced again, so that re-running a revocation reaches
   * processes that missed the first one (or a row revoked by hand in SQL).
   */
  override revoke(apiKeyId: string, at: Date): Promise<RevokeOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const [, affected] = (await manager.query(`UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [
        apiKeyId,
        at,
      ])) as [unknown, number];
      const outcome: RevokeOutcome =
        affected > 0 ? 'revoked' : (await manager.exists(ApiKeyRecord, { where: { id: apiKeyId } })) ? 'already-revoked' : 'not-found';
      if (outcome !== 'not-found') await manager.query(`SELECT pg_notify($1, $2)`, [API_KEY_REVOKED_CHANNEL, apiKeyId]);
      return outcome;
    });
  }

  override async listForOrganization(organizationId: string): Promise<ApiKeySummary[]> {
    const rows = await this.dataSource
      .createQueryBuilder(ApiKeyRecord, 'k')
      .innerJoin(EnvironmentRecord, 'e', 'e.id = k.environmentId')
      .select('k.id', 'id')
      .addSelect('k.environmentId', 'environmentId')
      .addSelect('e.name', 'environmentName')
      .addSelect('k.createdAt', 'createdAt')
      .addSelect('k.lastUsedAt', 'lastUsedAt')
      .addSelect('k.revokedAt', 'revokedAt')
      .where('e.organizationId = :organizationId', { organizationId })
      .orderBy('k.createdAt', 'ASC')
      .addOrderBy('k.id', 'ASC')
      .getRawMany<{
        id: string;
        environmentId: string;
        environmentName: string;
        createdAt: Date;
        lastUsedAt: Date | null;
        revokedAt: Date | null;
      }>();
    return rows.map((row) => ({
      id: row.id,
      environmentId: row.environmentId,
      environmentName: row.environmentName,
      createdAt: row.createdAt,
      ...(row.lastUsedAt ? { lastUsedAt: row.lastUsedAt } : {}),
      ...(row.revokedAt ? { revokedAt: row.revokedAt } : {}),
    }));
  }

  override async insert(environmentId: string, keyHash: string): Promise<{ id: string; createdAt: Date }> {
    const [row] = (await this.dataSource.query(`INSERT INTO api_keys (environment_id, key_hash) VALUES ($1, $2) RETURNING id, created_at`, [
      environmentId,
      keyHash,
    ])) as { id: string; created_at: Date }[];
    return { id: row.id, createdAt: row.created_at };
  }

  override async recordUse(apiKeyId: string, at: Date, minIntervalMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE api_keys SET last_used_at = $2
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - make_interval(secs => $3::double precision / 1000))`,
      [apiKeyId, at, minIntervalMs],
    );
  }
}
