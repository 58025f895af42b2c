import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrations } from '../../../apps/api/src/database/data-source-options';
import { runMigrationsSerialised } from '../../../apps/api/src/database/serialised-migrations';
import { createTestDatabase, TestDatabase } from '../../support/test-database';

const INSTANCES = 3;

/**
 * Several instances starting at once on an empty database (a scaled deploy): each runs
 * `runMigrationsSerialised`, as AppModule does. Every start must succeed, and every migration be
 * applied exactly once. (TypeORM's unlocked `migrationsRun` failed the later starts with 42P07 or 23505.)
 */
describe('runMigrationsSerialised', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeEach(async () => {
    database = await createTestDatabase({ migrated: false });
  });

  afterEach(async () => {
    for (const source of sources.splice(0)) await source.destroy().catch(() => undefined);
    await database.drop();
  });

  async function open(): Promise<DataSource> {
    const source = await new DataSource({ ...dataSourceOptions(database.url), migrationsRun: false }).initialize();
    sources.push(source);
    return source;
  }

  it(`lets ${INSTANCES} instances migrate an empty database at the same time`, async () => {
    const opened = await Promise.all(Array.from({ length: INSTANCES }, () => open()));
    const outcomes = await Promise.allSettled(opened.map((source) => runMigrationsSerialised(source)));
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'ok'))).toEqual(
      Array.from({ length: INSTANCES }, () => 'ok'),
    );

    const applied = await opened[0].query<{ name: string; times: number }[]>(
      'SELECT name, count(*)::int AS times FROM migrations GROUP BY name ORDER BY name',
    );
    expect(applied).toEqual(
      migrations.map((migration) => ({ name: migration.name, times: 1 })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    const tables = await opened[0].query<{ tables: number }[]>(
      `SELECT count(*)::int AS tables FROM pg_tables WHERE tablename = 'integrations'`,
    );
    expect(tables).toEqual([{ tables: 1 }]);
  });

  it('leaves nothing to do for a later start', async () => {
    const first = await open();
    await runMigrationsSerialised(first);
    const before = await first.query<{ count: number }[]>('SELECT count(*)::int AS count FROM migrations');
    await runMigrationsSerialised(await open());
    const after = await first.query<{ count: number }[]>('SELECT count(*)::int AS count FROM migrations');
    expect(after).toEqual(before);
    expect(before[0].count).toBe(migrations.length);
  });
});
