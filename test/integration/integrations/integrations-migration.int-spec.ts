import { randomUUID } from 'node:crypto';
import { EnvironmentScope } from '../../../libs/integrations/src/domain/integration';
import { IntegrationConstraints } from '../../../libs/integrations/src/infrastructure/typeorm/integration.record';
import { CreateIntegrations1764000001000 } from '../../../libs/integrations/src/infrastructure/typeorm/migrations/1764000001000-create-integrations';
import { driverErrorOf, IntegrationsDb, openIntegrationsDb } from './integrations-db';

describe('integrations schema (migration 1764000001000)', () => {
  let db: IntegrationsDb;
  let env: EnvironmentScope;

  beforeAll(async () => {
    db = await openIntegrationsDb();
    env = await db.newEnvironment();
  });
  afterAll(async () => {
    await db?.close();
  });

  /** A minimal valid row; override columns to break one rule at a time. */
  function insertRow(columns: Record<string, unknown> = {}): Promise<unknown> {
    const row: Record<string, unknown> = {
      id: randomUUID(),
      organization_id: env.organizationId,
      environment_id: env.environmentId,
      name: 'n',
      identifier: randomUUID(),
      provider_id: 'sendgrid',
      channel: 'email',
      kind: 'delivery',
      credentials: '{}',
      ...columns,
    };
    const names = Object.keys(row);
    return db.dataSource.query(
      `INSERT INTO integrations (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
      Object.values(row),
    );
  }

  it('creates the named indexes', async () => {
    const rows: { indexname: string }[] = await db.dataSource.query(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'integrations' ORDER BY indexname`,
    );
    expect(rows.map((r) => r.indexname)).toEqual(
      [
        IntegrationConstraints.environmentChannelIndex,
        IntegrationConstraints.organizationIndex,
        IntegrationConstraints.primaryKey,
        IntegrationConstraints.primaryUnique,
        IntegrationConstraints.identifierUnique,
      ].sort(),
    );
  });

  it.each([
    ['unknown kind', { kind: 'robot' }, '23514', IntegrationConstraints.kindCheck],
    ['unknown channel', { channel: 'fax' }, '23514', IntegrationConstraints.channelCheck],
    ['delivery without channel', { channel: null }, '23514', IntegrationConstraints.kindChannelCheck],
    ['agent with a channel', { kind: 'agent', channel: 'chat' }, '23514', IntegrationConstraints.kindChannelCheck],
    ['negative priority', { priority: -1 }, '23514', IntegrationConstraints.priorityCheck],
    ['primary agent', { kind: 'agent', channel: null, is_primary: true }, '23514', IntegrationConstraints.primaryChannelCheck],
    ['unknown environment', { environment_id: randomUUID() }, '23503', IntegrationConstraints.environmentForeignKey],
  ])('refuses a row with %s', async (_label, columns, code, constraint) => {
    expect(await driverErrorOf(insertRow(columns))).toMatchObject({ code, constraint });
  });

  it('accepts an agent row without channel', async () => {
    await expect(insertRow({ kind: 'agent', channel: null })).resolves.toBeDefined();
  });

  it('down() drops the table and up() recreates it', async () => {
    const migration = new CreateIntegrations1764000001000();
    const runner = db.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(await runner.hasTable('integrations')).toBe(false);
      await migration.up(runner);
      expect(await runner.hasTable('integrations')).toBe(true);
    } finally {
      await runner.release();
    }
    await expect(insertRow()).resolves.toBeDefined();
  });
});
