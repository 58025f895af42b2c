import { Injectable, Optional } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError, SelectQueryBuilder } from 'typeorm';
import { CredentialsCipher } from '../../application/ports/credentials-cipher';
import { IntegrationRepository, ListFilter, LoadChannelOptions } from '../../application/ports/integration.repository';
import { ChannelIntegrations, ChannelMember } from '../../domain/channel-integrations';
import { ChannelType, EnvironmentScope, Integration, PRIMARY_CHANNELS } from '../../domain/integration';
import { IntegrationError } from '../../domain/integration.errors';
import { isNovuDemoProvider } from '../../domain/novu-demo-providers';
import { IntegrationMapper } from './integration.mapper';
import { INTEGRATIONS_TABLE, IntegrationConstraints, IntegrationRecord } from './integration.record';
import { isUuid } from './uuid';
import { currentManager, onCommit, requireTransactionManager } from './typeorm-unit-of-work';
import { SelectionCache } from '../../application/selection-cache/selection-cache';
import { notifyChannelChanged } from './pg-integration-change-feed';

/** PostgreSQL SQLSTATE for unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** Prefix of the advisory-lock key, so that other users of advisory locks cannot collide by accident. */
const LOCK_NAMESPACE = 'integrations:channel';

/**
 * `IntegrationRepository` on PostgreSQL through TypeORM. Every statement runs on the surrounding
 * `UnitOfWork` transaction when there is one. Reads never see deleted rows; ids that are not UUIDs
 * match nothing (instead of PostgreSQL's 22P02).
 */
@Injectable()
export class TypeOrmIntegrationRepository extends IntegrationRepository {
  private readonly mapper: IntegrationMapper;
  /** The select lists of `list`, built once (see `listColumns`). */
  private columnLists?: { withSecrets: string; withoutSecrets: string };

  constructor(
    private readonly dataSource: DataSource,
    cipher: CredentialsCipher,
    @Optional() private readonly selectionCache?: SelectionCache,
  ) {
    super();
    this.mapper = new IntegrationMapper(cipher);
  }

  async loadChannel(
    scope: EnvironmentScope,
    channel: ChannelType | undefined,
    options: LoadChannelOptions = {},
  ): Promise<ChannelIntegrations> {
    await this.lockChannel(scope, channel);
    const ordered = channel !== undefined && PRIMARY_CHANNELS.includes(channel);
    const members = ordered ? await this.listActivePriorities(scope, channel) : [];
    const demo = options.admitting;
    const demoProvidersPresent =
      demo !== undefined && isNovuDemoProvider(demo) && (await this.countByProvider(scope, demo)) > 0 ? [demo] : [];
    return ChannelIntegrations.restore({ scope, channel, members, demoProvidersPresent });
  }

  async saveChannel(channel: ChannelIntegrations): Promise<void> {
    const writes = channel.pendingWrites();
    for (const write of writes) {
      if (write.kind === 'insert') await this.insertRecord(write.integration);
      else if (write.kind === 'update') await this.update(write.integration);
      else if (write.kind === 'delete')
        await this.softDelete(channel.scope, write.integration.id, write.integration.deletedBy, write.integration.updatedAt);
      else await this.rerank(channel.scope, write);
    }
    if (writes.length > 0 && channel.channel !== undefined) await this.channelChanged(channel.scope, channel.channel);
  }

  /**
   * Tells every instance's selection cache (docs/contract.md §8): `pg_notify` in the writing
   * transaction (PostgreSQL delivers it on commit, to every listener, this instance's included), and
   * this instance's cache directly, now and again once the transaction has committed — so that the
   * writer's next selection sees the write without waiting for its own notice.
   */
  private async channelChanged(scope: EnvironmentScope, channel: ChannelType): Promise<void> {
    await notifyChannelChanged(this.manager(), scope.environmentId, channel);
    const cache = this.selectionCache;
    if (!cache) return;
    cache.changed(scope.environmentId, channel);
    onCommit(this.dataSource, () => cache.changed(scope.environmentId, channel));
  }

  /**
   * Serialises writers of one environment+channel (or one environment's agent integrations when
   * `channel` is undefined) until the surrounding UnitOfWork transaction ends. Must be called inside
   * `UnitOfWork.run`.
   */
  async lockChannel(scope: EnvironmentScope, channel: ChannelType | undefined): Promise<void> {
    const manager = requireTransactionManager(this.dataSource, 'IntegrationRepository.lockChannel');
    const key = `${LOCK_NAMESPACE}:${scope.environmentId}:${channel ?? 'agent'}`;
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
  }

  /** The places of the active delivery integrations of that channel, highest first. */
  async listActivePriorities(scope: EnvironmentScope, channel: ChannelType): Promise<ChannelMember[]> {
    if (!isScope(scope)) return [];
    const records = await this.activeOfChannel(scope, channel).select(['i.id', 'i.priority', 'i.primary', 'i.createdAt']).getMany();
    return records.map((record) => ({
      id: record.id,
      priority: record.priority,
      primary: record.primary,
      createdAt: new Date(record.createdAt),
    }));
  }

  async identifierTaken(scope: EnvironmentScope, identifier: string, exceptId?: string): Promise<boolean> {
    if (!isScope(scope)) return false;
    const query = this.live(scope).andWhere('i.identifier = :identifier', { identifier });
    if (exceptId !== undefined && isUuid(exceptId)) query.andWhere('i.id <> :exceptId', { exceptId });
    return (await query.getCount()) > 0;
  }

  /** How many non-deleted integrations of the environment use this provider. */
  async countByProvider(scope: EnvironmentScope, providerId: string): Promise<number> {
    if (!isScope(scope)) return 0;
    return this.live(scope).andWhere('i.providerId = :providerId', { providerId }).getCount();
  }

  async insert(integration: Integration): Promise<void> {
    await this.insertRecord(integration);
    if (integration.channel !== undefined && integration.kind === 'delivery') {
      await this.channelChanged(
        { organizationId: integration.organizationId, environmentId: integration.environmentId },
        integration.channel,
      );
    }
  }

  private async insertRecord(integration: Integration): Promise<void> {
    const record = this.mapper.toRecord(integration);
    await translateUniqueViolation(() => this.manager().insert(IntegrationRecord, record));
  }

  /** Replaces every mutable field of an existing integration (same encryption and 409 rules). */
  async update(integration: Integration): Promise<void> {
    const record = this.mapper.toRecord(integration);
    const result = await translateUniqueViolation(() =>
      this.manager()
        .createQueryBuilder()
        .update(IntegrationRecord)
        .set({
          name: record.name,
          identifier: record.identifier,
          active: record.active,
          primary: record.primary,
          priority: record.priority,
          credentials: record.credentials,
          configurations: record.configurations,
          conditions: record.conditions,
          updatedAt: record.updatedAt,
        })
        .where('id = :id AND organization_id = :organizationId AND environment_id = :environmentId AND NOT deleted', {
          id: record.id,
          organizationId: record.organizationId,
          environmentId: record.environmentId,
        })
        .execute(),
    );
    if (result.affected === 0) throw IntegrationError.integrationNotFound(integration.id);
  }

  /** A new primary flag and priority for one integration of the environment (none other changes). */
  private async rerank(scope: EnvironmentScope, change: { id: string; primary: boolean; priority: number }): Promise<void> {
    if (!isUuid(change.id) || !isScope(scope)) {
      throw new Error(`saveChannel: not an integration id in this environment: ${isUuid(change.id) ? '(scope)' : change.id}`);
    }
    const [, affected] = (await this.manager().query(
      `UPDATE integrations SET is_primary = $4, priority = $5, updated_at = now()
        WHERE organization_id = $1 AND environment_id = $2 AND id = $3 AND NOT deleted`,
      [scope.organizationId, scope.environmentId, change.id, change.primary, change.priority],
    )) as [unknown, number];
    if (affected !== 1) {
      throw new Error(`saveChannel: integration ${change.id} not found in environment ${scope.environmentId}`);
    }
  }

  async findById(organizationId: string, id: string): Promise<Integration | undefined> {
    if (!isUuid(organizationId) || !isUuid(id)) return undefined;
    const record = await this.manager()
      .createQueryBuilder(IntegrationRecord, 'i')
      .where('i.id = :id AND i.organizationId = :organizationId AND i.deleted = false', { id, organizationId })
      .getOne();
    return record ? this.mapper.toDomain(record) : undefined;
  }

  async listByOrganization(organizationId: string, filter?: ListFilter): Promise<Integration[]> {
    if (!isUuid(organizationId)) return [];
    return this.list('organization_id = $1', [organizationId], filter);
  }

  async listByEnvironment(scope: EnvironmentScope, filter?: ListFilter): Promise<Integration[]> {
    if (!isScope(scope)) return [];
    return this.list('organization_id = $1 AND environment_id = $2', [scope.organizationId, scope.environmentId], filter);
  }

  async listActiveOfChannel(scope: EnvironmentScope, channel: ChannelType): Promise<Integration[]> {
    if (!isScope(scope)) return [];
    const records = await this.live(scope)
      .andWhere("i.channel = :channel AND i.active = true AND i.kind = 'delivery'", { channel })
      .getMany();
    return records.map((record) => this.mapper.toDomain(record));
  }

  /** Soft delete: sets `deleted`, `deletedAt`, `deletedBy`, clears primary. */
  async softDelete(scope: EnvironmentScope, id: string, deletedBy: string | undefined, at: Date): Promise<void> {
    if (!isScope(scope) || !isUuid(id)) return;
    await this.manager()
      .createQueryBuilder()
      .update(IntegrationRecord)
      .set({ deleted: true, deletedAt: at, deletedBy: deletedBy ?? null, primary: false, updatedAt: at })
      .where('id = :id AND organization_id = :organizationId AND environment_id = :environmentId AND NOT deleted', {
        id,
        organizationId: scope.organizationId,
        environmentId: scope.environmentId,
      })
      .execute();
  }

  private manager(): EntityManager {
    return currentManager(this.dataSource);
  }

  /** Live (non-deleted) rows of one environment. */
  private live(scope: EnvironmentScope): SelectQueryBuilder<IntegrationRecord> {
    return this.manager()
      .createQueryBuilder(IntegrationRecord, 'i')
      .where('i.organizationId = :organizationId AND i.environmentId = :environmentId AND i.deleted = false', {
        organizationId: scope.organizationId,
        environmentId: scope.environmentId,
      });
  }

  /** Active delivery rows of a channel, highest priority first (a primary wins a tie). */
  private activeOfChannel(scope: EnvironmentScope, channel: ChannelType): SelectQueryBuilder<IntegrationRecord> {
    return this.live(scope)
      .andWhere("i.channel = :channel AND i.active = true AND i.kind = 'delivery'", { channel })
      .orderBy('i.priority', 'DESC')
      .addOrderBy('i.primary', 'DESC')
      .addOrderBy('i.createdAt', 'ASC')
      .addOrderBy('i.id', 'ASC');
  }

  /**
   * The live rows matching `where` (on `$1…` of `parameters`), oldest first, in one plain statement:
   * the rows come back from the driver already keyed by the record's property names (see
   * `listColumns`), so the mapper reads them as records without TypeORM's entity hydration, which
   * cost more than the mapping itself on a list of hundreds. Without secrets the credentials
   * column is not even read.
   */
  private async list(where: string, parameters: unknown[], filter?: ListFilter): Promise<Integration[]> {
    const secrets = !filter?.withoutSecrets;
    const active = filter?.activeOnly ? ' AND active' : '';
    const rows = (await this.manager().query(
      `SELECT ${this.listColumns(secrets)} FROM ${INTEGRATIONS_TABLE} WHERE ${where} AND NOT deleted${active} ORDER BY created_at, id`,
      parameters,
    )) as IntegrationRecord[];
    return rows.map((row) => this.mapper.toDomain(row, { secrets }));
  }

  /**
   * Every column of `IntegrationRecord` as `column AS "property"` (from the entity's metadata, so
   * that a column added to the record is listed too); without the credentials for `secrets: false`.
   */
  private listColumns(secrets: boolean): string {
    if (!this.columnLists) {
      const columns = this.dataSource.getMetadata(IntegrationRecord).columns;
      const list = (keep: (property: string) => boolean) =>
        columns
          .filter((column) => keep(column.propertyName))
          .map((column) => `"${column.databaseName}" AS "${column.propertyName}"`)
          .join(', ');
      this.columnLists = { withSecrets: list(() => true), withoutSecrets: list((property) => property !== 'credentials') };
    }
    return secrets ? this.columnLists.withSecrets : this.columnLists.withoutSecrets;
  }
}

function isScope(scope: EnvironmentScope): boolean {
  return isUuid(scope.organizationId) && isUuid(scope.environmentId);
}

/** A unique violation of the identifier index becomes the domain's 409; anything else is rethrown. */
async function translateUniqueViolation<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, IntegrationConstraints.identifierUnique)) throw IntegrationError.identifierTaken();
    throw error;
  }
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string } | undefined;
  return driverError?.code === UNIQUE_VIOLATION && driverError.constraint === constraint;
}
