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
import { currentManager, onCommit, pipelined, requireTransactionManager } from './typeorm-unit-of-work';
import { SelectionCache } from '../../application/selection-cache/selection-cache';
import { changeNotice, notifyChannelChanged } from './pg-integration-change-feed';

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
    const manager = requireTransactionManager(this.dataSource, 'IntegrationRepository.loadChannel');
    const ordered = channel !== undefined && PRIMARY_CHANNELS.includes(channel) && isScope(scope);
    const demo = options.admitting;
    const countDemo = demo !== undefined && isNovuDemoProvider(demo) && isScope(scope);
    // Lock first, then the reads: sent together (one round trip), each read is its own statement,
    // so its snapshot is taken once the lock is held and it sees every earlier writer's commit.
    const [, members, demoCount] = await pipelined<unknown>(this.dataSource, [
      () => this.lockChannel(scope, channel),
      () => (ordered ? this.listActivePriorities(scope, channel, options.head) : Promise.resolve([])),
      () => (countDemo ? this.countLive(manager, scope, 'provider_id = $3', [demo]) : Promise.resolve(0)),
    ]);
    const demoProvidersPresent = countDemo && (demoCount as number) > 0 ? [demo] : [];
    return ChannelIntegrations.restore({ scope, channel, members: members as ChannelMember[], demoProvidersPresent });
  }

  async saveChannel(channel: ChannelIntegrations): Promise<void> {
    const writes = channel.pendingWrites();
    if (writes.length === 0) return;
    // One statement per write, sent together in their order (one round trip inside a transaction),
    // then the notice. Each goes through `manager.query`, so they reach the database in this order.
    await pipelined<unknown>(this.dataSource, [
      ...writes.map((write) => () => {
        if (write.kind === 'insert') return this.insertRecord(write.integration);
        if (write.kind === 'update') return this.update(write.integration);
        if (write.kind === 'delete') {
          return this.softDelete(channel.scope, write.integration.id, write.integration.deletedBy, write.integration.updatedAt);
        }
        return this.rerank(channel.scope, write);
      }),
      ...(channel.channel !== undefined ? [() => this.channelChanged(channel.scope, channel.channel!)] : []),
    ]);
  }

  /**
   * Tells every instance's selection cache (docs/contract.md §8): `pg_notify` in the writing
   * transaction (PostgreSQL delivers it on commit, to every listener, this instance's included), and
   * this instance's cache directly, now and again once the transaction has committed — so that the
   * writer's next selection sees the write without waiting for its own notice.
   */
  private async channelChanged(scope: EnvironmentScope, channel: ChannelType): Promise<void> {
    await notifyChannelChanged(this.manager(), scope.environmentId, channel);
    this.selectionCacheChanged(scope, channel);
  }

  /**
   * This instance's cache, now and again once the surrounding transaction has committed (outside a
   * transaction: call it after the statement, which has committed then).
   */
  private selectionCacheChanged(scope: EnvironmentScope, channel: ChannelType): void {
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

  /** The places of the active delivery integrations of that channel, highest first (the first `head` only, when given). */
  async listActivePriorities(scope: EnvironmentScope, channel: ChannelType, head?: number): Promise<ChannelMember[]> {
    if (!isScope(scope)) return [];
    const rows: { id: string; priority: number; is_primary: boolean; created_at: Date }[] = await this.manager().query(
      `SELECT id, priority, is_primary, created_at FROM integrations
        WHERE organization_id = $1 AND environment_id = $2 AND NOT deleted AND channel = $3 AND active AND kind = 'delivery'
        ORDER BY priority DESC, is_primary DESC, created_at ASC, id ASC LIMIT $4`,
      [scope.organizationId, scope.environmentId, channel, head ?? null],
    );
    return rows.map((row) => ({ id: row.id, priority: row.priority, primary: row.is_primary, createdAt: new Date(row.created_at) }));
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
    return this.countLive(this.manager(), scope, 'provider_id = $3', [providerId]);
  }

  /** Live rows of the environment matching `condition` (parameters from `$3`). */
  private async countLive(manager: EntityManager, scope: EnvironmentScope, condition: string, parameters: unknown[]): Promise<number> {
    const [row]: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM integrations WHERE organization_id = $1 AND environment_id = $2 AND NOT deleted AND ${condition}`,
      [scope.organizationId, scope.environmentId, ...parameters],
    );
    return row?.n ?? 0;
  }

  /**
   * One statement, so it needs no transaction of its own. Only an active delivery integration
   * changes what selection reads (its active rows of a channel): that one also tells the selection
   * caches, from the same statement.
   */
  async insert(integration: Integration): Promise<void> {
    const selectable = integration.active && integration.kind === 'delivery' && integration.channel !== undefined;
    if (!selectable) return this.insertRecord(integration);
    const scope = { organizationId: integration.organizationId, environmentId: integration.environmentId };
    const [sql, parameters] = insertStatement(this.mapper.toRecord(integration));
    await translateWriteErrors(integration, () =>
      this.manager().query(
        `WITH inserted AS (${sql} RETURNING 1) SELECT pg_notify($${parameters.length + 1}, $${parameters.length + 2}) FROM inserted`,
        [...parameters, ...changeNotice(integration.environmentId, integration.channel!)],
      ),
    );
    this.selectionCacheChanged(scope, integration.channel!);
  }

  private async insertRecord(integration: Integration): Promise<void> {
    const [sql, parameters] = insertStatement(this.mapper.toRecord(integration));
    await translateWriteErrors(integration, () => this.manager().query(sql, parameters));
  }

  /** Replaces every mutable field of an existing integration (same encryption and 409 rules). */
  async update(integration: Integration): Promise<void> {
    const record = this.mapper.toRecord(integration);
    const [, affected] = (await translateUniqueViolation(() =>
      this.manager().query(
        `UPDATE integrations SET name = $4, identifier = $5, active = $6, is_primary = $7, priority = $8, credentials = $9::jsonb,
                configurations = $10::jsonb, conditions = $11::jsonb, updated_at = $12
          WHERE id = $1 AND organization_id = $2 AND environment_id = $3 AND NOT deleted`,
        [
          record.id,
          record.organizationId,
          record.environmentId,
          record.name,
          record.identifier,
          record.active,
          record.primary,
          record.priority,
          JSON.stringify(record.credentials),
          JSON.stringify(record.configurations),
          JSON.stringify(record.conditions),
          record.updatedAt,
        ],
      ),
    )) as [unknown, number];
    if (affected === 0) throw IntegrationError.integrationNotFound(integration.id);
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
    await this.manager().query(
      `UPDATE integrations SET deleted = true, deleted_at = $4, deleted_by = $5, is_primary = false, updated_at = $4
        WHERE id = $1 AND organization_id = $2 AND environment_id = $3 AND NOT deleted`,
      [id, scope.organizationId, scope.environmentId, at, deletedBy ?? null],
    );
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

/** PostgreSQL SQLSTATE for foreign_key_violation. */
const FOREIGN_KEY_VIOLATION = '23503';

/** The INSERT of one integration record, with its parameters (jsonb as JSON text). */
function insertStatement(record: IntegrationRecord): [string, unknown[]] {
  return [
    `INSERT INTO integrations (id, organization_id, environment_id, name, identifier, provider_id, channel, kind, active, is_primary,
       priority, credentials, configurations, conditions, deleted, deleted_at, deleted_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14::jsonb, $15, $16, $17, $18, $19)`,
    [
      record.id,
      record.organizationId,
      record.environmentId,
      record.name,
      record.identifier,
      record.providerId,
      record.channel,
      record.kind,
      record.active,
      record.primary,
      record.priority,
      JSON.stringify(record.credentials),
      JSON.stringify(record.configurations),
      JSON.stringify(record.conditions),
      record.deleted,
      record.deletedAt,
      record.deletedBy,
      record.createdAt,
      record.updatedAt,
    ],
  ];
}

/**
 * An insert's errors in the domain's terms: the identifier's unique index → 409; the host's
 * foreign key to its environments (an environment deleted meanwhile, e.g. behind a cached API key)
 * → 404 on that environment. Anything else is rethrown.
 */
async function translateWriteErrors<T>(integration: Integration, write: () => Promise<T>): Promise<T> {
  try {
    return await translateUniqueViolation(write);
  } catch (error) {
    if (isForeignKeyViolation(error, IntegrationConstraints.environmentForeignKey)) {
      throw IntegrationError.environmentNotFound(integration.environmentId);
    }
    throw error;
  }
}

function isForeignKeyViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string } | undefined;
  return driverError?.code === FOREIGN_KEY_VIOLATION && driverError.constraint === constraint;
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
