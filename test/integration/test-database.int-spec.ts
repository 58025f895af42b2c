import { DataSource } from 'typeorm';
import { assertTestDatabaseUrl, databaseName } from '../support/database-guard';
import { createTestDatabase, openTestDataSource, TestDatabase } from '../support/test-database';

describe('test databases (test/support)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openTestDataSource(database.url);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('gives each file its own database, migrated from the template and otherwise empty', async () => {
    expect(databaseName(database.url)).toMatch(/^integrations_test_/);
    const migrations = await dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(migrations.length).toBe(dataSource.migrations.length);
    expect(migrations.length).toBeGreaterThan(0);
    const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM organizations');
    expect(count).toBe(0);
  });

  it('drops the database again', async () => {
    const other = await createTestDatabase();
    await other.drop();
    const rows = await dataSource.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName(other.url)]);
    expect(rows).toEqual([]);
  });

  it('refuses a DATABASE_URL whose database name does not say "test"', () => {
    expect(() => assertTestDatabaseUrl('postgres://postgres@127.0.0.1:5432/production')).toThrow(/does not contain "test"/);
    expect(() => assertTestDatabaseUrl('postgres://postgres@127.0.0.1:5432/test')).not.toThrow();
  });
});
