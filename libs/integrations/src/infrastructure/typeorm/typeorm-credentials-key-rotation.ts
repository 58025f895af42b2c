import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CredentialsCipher } from '../../application/ports/credentials-cipher';
import { CredentialsKeyRotation, ReencryptionBatch } from '../../application/ports/credentials-key-rotation';
import { IntegrationMapper } from './integration.mapper';
import { IntegrationRecord } from './integration.record';
import { notifyChannelChanged } from './pg-integration-change-feed';
import { CHANNELS, ChannelType } from '../../domain/integration';

/** Rows with a secret encrypted under another key than `:kid` (deleted rows too: they keep their secrets). */
const STALE = `((i.credentials ->> 'kid') IS DISTINCT FROM :kid
  OR (i.configurations ? 'inboundWebhookSigningKey' AND (i.configurations -> 'inboundWebhookSigningKey' ->> 'kid') IS DISTINCT FROM :kid))`;

@Injectable()
export class TypeOrmCredentialsKeyRotation extends CredentialsKeyRotation {
  private readonly mapper: IntegrationMapper;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: CredentialsCipher,
  ) {
    super();
    this.mapper = new IntegrationMapper(cipher);
  }

  async reencryptBatch(limit: number): Promise<ReencryptionBatch> {
    const kid = this.cipher.currentKeyId;
    const reencrypted = await this.dataSource.transaction(async (manager) => {
      const records = await stale(manager, kid)
        .orderBy('i.id')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const record of records) {
        // Decrypts with whichever configured key the row names, re-encrypts with the current one.
        const fresh = this.mapper.toRecord(this.mapper.toDomain(record));
        await manager.update(
          IntegrationRecord,
          // The whole primary key (organization, id): an index lookup, and one shard under Citus.
          { organizationId: record.organizationId, id: record.id },
          {
            credentials: fresh.credentials,
            configurations: fresh.configurations,
          },
        );
      }
      // The selection caches of every instance hold decrypted rows: the re-encrypted channels are
      // invalidated like any other write (docs/contract.md §8), on commit.
      const changed = new Set(
        records
          .filter((record) => record.kind === 'delivery' && CHANNELS.includes(record.channel as ChannelType))
          .map((record) => `${record.environmentId}\u0000${record.channel}`),
      );
      for (const key of changed) {
        const [environmentId, channel] = key.split('\u0000') as [string, ChannelType];
        await notifyChannelChanged(manager, environmentId, channel);
      }
      return records.length;
    });
    const remaining = await stale(this.dataSource.manager, kid).getCount();
    return { reencrypted, remaining };
  }
}

function stale(manager: EntityManager, kid: string) {
  return manager.createQueryBuilder(IntegrationRecord, 'i').where(STALE, { kid });
}
