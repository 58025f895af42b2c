import { randomUUID } from 'node:crypto';
import { EnvironmentScope } from '../../../libs/integrations/src/domain/integration';
import { IntegrationError } from '../../../libs/integrations/src/domain/integration.errors';
import { IntegrationConstraints } from '../../../libs/integrations/src/infrastructure/typeorm/integration.record';
import { OrganizationInIntegrationKeys1764200000000 } from '../../../libs/integrations/src/infrastructure/typeorm/migrations/1764200000000-organization-in-integration-keys';
import { buildIntegration } from '../../factories/integration.factory';
import { driverErrorOf, IntegrationsDb, openIntegrationsDb } from './integrations-db';

/** Columns of an index, in order, and its predicate (null when it covers every row). */
interface IndexShape {
  readonly columns: string[];
  readonly predicate: string | null;
}

describe('organization_id in every key of the tenant tables (migration 1764200000000, for Citus)', () => {
  let db: IntegrationsDb;
  let env: EnvironmentScope;

  beforeAll(async () => {
    db = await openIntegrationsDb();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    env = await db.newEnvironment();
  });

  async function indexShape(name: string): Promise<IndexShape> {
    const rows: { columns: string[]; predicate: string | null }[] = await db.dataSource.query(
      `SELECT array_agg(a.attname ORDER BY k.ordinality)::text[] AS columns, pg_get_expr(i.indpred, i.indrelid) AS predicate
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ordinality)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE c.relname = $1
        GROUP BY i.indexrelid, i.indpred, i.indrelid`,
      [name],
    );
    if (rows.length !== 1) throw new Error(`no index named ${name}`);
    return rows[0];
  }

  /** Every primary key and unique index of the table, by name, with its columns. */
  async function uniqueIndexes(table: string): Promise<Record<string, string[]>> {
    const rows: { name: string; columns: string[] }[] = await db.dataSource.query(
      `SELECT c.relname AS name, array_agg(a.attname ORDER BY k.ordinality)::text[] AS columns
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ordinality)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1::regclass AND i.indisunique
        GROUP BY c.relname`,
      [table],
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.columns]));
  }

  it('leads the primary key and both unique indexes of integrations with organization_id, under their old names', async () => {
    expect(await indexShape(IntegrationConstraints.primaryKey)).toEqual({ columns: ['organization_id', 'id'], predicate: null });
    expect(await indexShape(IntegrationConstraints.identifierUnique)).toEqual({
      columns: ['organization_id', 'environment_id', 'identifier'],
      predicate: '(NOT deleted)',
    });
    expect(await indexShape(IntegrationConstraints.primaryUnique)).toEqual({
      columns: ['organization_id', 'environment_id', 'channel'],
      predicate: '(is_primary AND (NOT deleted))',
    });
  });

  it.each(['integrations', 'idempotency_records'])('%s: every primary key and unique index includes organization_id', async (table) => {
    const indexes = await uniqueIndexes(table);
    expect(Object.keys(indexes).length).toBeGreaterThan(0);
    for (const [name, columns] of Object.entries(indexes))
      expect({ name, columns }).toEqual({ name, columns: expect.arrayContaining(['organization_id']) });
  });

  it('still answers a taken identifier with the domain 409 (the constraint name the repository matches)', async () => {
    await db.repository.insert(buildIntegration({ ...env, identifier: 'taken' }));
    await expect(db.repository.insert(buildIntegration({ ...env, identifier: 'taken' }))).rejects.toEqual(
      IntegrationError.identifierTaken(),
    );
    // A deleted one frees it, as before.
    const [{ id }]: { id: string }[] = await db.dataSource.query(`SELECT id FROM integrations WHERE environment_id = $1`, [
      env.environmentId,
    ]);
    await db.dataSource.query(`UPDATE integrations SET deleted = true WHERE id = $1`, [id]);
    await expect(db.repository.insert(buildIntegration({ ...env, identifier: 'taken' }))).resolves.toBeUndefined();
  });

  it('still refuses a second primary of a channel in the environment, naming the primary index', async () => {
    const primary = (identifier: string) =>
      db.dataSource.query(
        `INSERT INTO integrations (id, organization_id, environment_id, name, identifier, provider_id, channel, is_primary, active, credentials)
         VALUES ($1, $2, $3, 'n', $4, 'sendgrid', 'email', true, true, '{}')`,
        [randomUUID(), env.organizationId, env.environmentId, identifier],
      );
    await primary('one');
    expect(await driverErrorOf(primary('two'))).toMatchObject({ code: '23505', constraint: IntegrationConstraints.primaryUnique });
  });

  it('down() restores the keys without organization_id and up() puts it back, rows kept', async () => {
    await db.repository.insert(buildIntegration({ ...env, identifier: 'kept' }));
    const migration = new OrganizationInIntegrationKeys1764200000000();
    const runner = db.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect((await indexShape(IntegrationConstraints.primaryKey)).columns).toEqual(['id']);
      expect((await indexShape(IntegrationConstraints.identifierUnique)).columns).toEqual(['environment_id', 'identifier']);
      expect((await indexShape(IntegrationConstraints.primaryUnique)).columns).toEqual(['environment_id', 'channel']);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect((await indexShape(IntegrationConstraints.primaryKey)).columns).toEqual(['organization_id', 'id']);
    const kept: unknown[] = await db.dataSource.query(`SELECT 1 FROM integrations WHERE environment_id = $1 AND identifier = 'kept'`, [
      env.environmentId,
    ]);
    expect(kept).toHaveLength(1);
  });
});
