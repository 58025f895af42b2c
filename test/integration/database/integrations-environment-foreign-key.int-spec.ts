import { randomUUID } from 'node:crypto';
import { DataSource, MigrationInterface } from 'typeorm';
import { integrationsEntities, integrationsMigrations } from '@app/integrations';
import { tenancyMigrations } from '@app/tenancy';
import { IntegrationsEnvironmentForeignKey1764000001500 } from '../../../apps/api/src/database/migrations/1764000001500-integrations-environment-foreign-key';
import { dataSourceOptions, migrations as apiMigrations } from '../../../apps/api/src/database/data-source-options';
import { insertEnvironment } from '../../support/tenancy-rows';
import { createTestDatabase, TestDatabase } from '../../support/test-database';

type MigrationClass = new () => MigrationInterface;

/** Runs exactly these migrations on an empty database. */
async function migrate(url: string, migrations: MigrationClass[]): Promise<DataSource> {
  return new DataSource({ ...dataSourceOptions(url), entities: integrationsEntities, migrations, migrationsRun: true }).initialize();
}

async function foreignKeys(dataSource: DataSource): Promise<string[]> {
  const rows: { conname: string }[] = await dataSource.query(
    `SELECT conname FROM pg_constraint WHERE conrelid = 'integrations'::regclass AND contype = 'f' ORDER BY conname`,
  );
  return rows.map((row) => row.conname);
}

function insertIntegration(dataSource: DataSource, scope: { organizationId: string; environmentId: string }): Promise<unknown> {
  return dataSource.query(
    `INSERT INTO integrations (id, organization_id, environment_id, name, identifier, provider_id, channel, credentials)
     VALUES ($1, $2, $3, 'n', $4, 'sendgrid', 'email', '{}')`,
    [randomUUID(), scope.organizationId, scope.environmentId, randomUUID()],
  );
}

describe('the environments foreign key: the library leaves it to its host, the API adds it', () => {
  const databases: TestDatabase[] = [];
  const sources: DataSource[] = [];
  async function emptyDatabase(): Promise<string> {
    const database = await createTestDatabase({ migrated: false });
    databases.push(database);
    return database.url;
  }
  async function open(url: string, migrations: MigrationClass[]): Promise<DataSource> {
    const dataSource = await migrate(url, migrations);
    sources.push(dataSource);
    return dataSource;
  }
  afterAll(async () => {
    for (const dataSource of sources) if (dataSource.isInitialized) await dataSource.destroy();
    for (const database of databases) await database.drop();
  });

  it("the library's migrations alone need no environments table and create no foreign key", async () => {
    const dataSource = await open(await emptyDatabase(), integrationsMigrations);
    expect(await dataSource.query(`SELECT to_regclass('environments') AS t`)).toEqual([{ t: null }]);
    expect(await foreignKeys(dataSource)).toEqual([]);
    await expect(insertIntegration(dataSource, { organizationId: randomUUID(), environmentId: randomUUID() })).resolves.toBeDefined();
  });

  it("the API's migrations end with the key: an unknown environment is refused, deleting one deletes its integrations", async () => {
    const dataSource = await open(await emptyDatabase(), apiMigrations);
    expect(await foreignKeys(dataSource)).toEqual(['fk_integrations_environment']);
    await expect(insertIntegration(dataSource, { organizationId: randomUUID(), environmentId: randomUUID() })).rejects.toMatchObject({
      driverError: { code: '23503', constraint: 'fk_integrations_environment' },
    });
    const scope = await insertEnvironment(dataSource);
    await insertIntegration(dataSource, scope);
    await dataSource.query('DELETE FROM environments WHERE id = $1', [scope.environmentId]);
    expect(await dataSource.query('SELECT count(*)::int AS n FROM integrations')).toEqual([{ n: 0 }]);
  });

  it('a database migrated before the split (key created with the table) keeps its key and rows: the new migration changes nothing', async () => {
    const dataSource = await open(await emptyDatabase(), [...tenancyMigrations, ...integrationsMigrations]);
    // What the library's 1764000001000 created before: the same key, inline.
    await dataSource.query(
      `ALTER TABLE integrations ADD CONSTRAINT fk_integrations_environment
         FOREIGN KEY (environment_id) REFERENCES environments (id) ON DELETE CASCADE`,
    );
    const scope = await insertEnvironment(dataSource);
    await insertIntegration(dataSource, scope);

    const runner = dataSource.createQueryRunner();
    try {
      await new IntegrationsEnvironmentForeignKey1764000001500().up(runner);
    } finally {
      await runner.release();
    }
    expect(await foreignKeys(dataSource)).toEqual(['fk_integrations_environment']);
    expect(await dataSource.query('SELECT count(*)::int AS n FROM integrations')).toEqual([{ n: 1 }]);
  });

  it('down() removes the key and up() puts it back', async () => {
    const dataSource = await open(await emptyDatabase(), apiMigrations);
    const migration = new IntegrationsEnvironmentForeignKey1764000001500();
    const runner = dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(await foreignKeys(dataSource)).toEqual([]);
      await migration.up(runner);
      expect(await foreignKeys(dataSource)).toEqual(['fk_integrations_environment']);
    } finally {
      await runner.release();
    }
  });
});
