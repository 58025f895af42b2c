import { Injectable, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  CreateIntegration,
  IntegrationError,
  IntegrationsModule,
  integrationsEntities,
  ListIntegrations,
  UnitOfWork,
} from '@app/integrations';
import { insertEnvironment } from '../support/tenancy-rows';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * Another NestJS application using the library in-process, with its own configuration and no
 * HTTP: it registers the library's entities in its own TypeORM connection and calls the use cases.
 */
describe('IntegrationsModule in another Nest host (no HTTP)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  const organizationId = randomUUID();
  const environmentId = randomUUID();

  /** A feature module of the host: creates an integration and writes its own row in one transaction. */
  @Injectable()
  class HostNotes {
    constructor(
      readonly unitOfWork: UnitOfWork,
      readonly create: CreateIntegration,
    ) {}

    createNoted(providerId: string, note: string, fail = false) {
      return this.unitOfWork.run(async (transaction) => {
        const { integration } = await this.create.execute({ actor: actor(), providerId });
        await transaction.query('INSERT INTO host_notes (integration_id, note) VALUES ($1, $2)', [integration.id, note]);
        if (fail) throw new Error('host work failed');
        return integration;
      });
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase();

    // Configured once; the host's feature module imports the same object (one instance).
    const integrations = IntegrationsModule.forRootAsync({
      useFactory: async () => ({
        encryptionKeys: [{ id: 'host-key', key: randomBytes(32).toString('base64') }],
        novuDemoProviders: { email: true },
        // Behind a transaction pooler (TEST_PGBOUNCER=1) the change feed's LISTEN needs a direct connection.
        ...(database.pooled ? { listenConnectionUrl: database.directUrl } : {}),
      }),
    });

    @Module({ imports: [integrations], providers: [HostNotes] })
    class HostNotesModule {}

    @Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: database.url, entities: [...integrationsEntities] }),
        integrations,
        HostNotesModule,
      ],
    })
    class HostModule {}

    moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    await moduleRef.init();
    dataSource = moduleRef.get(DataSource);
    await insertEnvironment(dataSource, { organizationId, environmentId });
    await dataSource.query('CREATE TABLE host_notes (integration_id uuid PRIMARY KEY, note text NOT NULL)');
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  const actor = () => ({ kind: 'session' as const, organizationId, environmentId, userId: 'host-user' });

  it('creates an integration through the exported use case and reads it back decrypted', async () => {
    const create = moduleRef.get(CreateIntegration);
    const { integration } = await create.execute({
      actor: actor(),
      providerId: 'sendgrid',
      active: true,
      credentials: { apiKey: 'SG.host-secret', from: 'a@b.co', senderName: 'Host' },
    });
    expect(integration).toMatchObject({ environmentId, providerId: 'sendgrid', channel: 'email', primary: true, priority: 1 });

    const listed = await moduleRef.get(ListIntegrations).execute({ actor: actor() });
    expect(listed.map((i) => i.id)).toEqual([integration.id]);
    expect(listed[0].credentials).toEqual({ apiKey: 'SG.host-secret', from: 'a@b.co', senderName: 'Host' });

    const [row] = await dataSource.query('SELECT credentials::text AS c FROM integrations WHERE id = $1', [integration.id]);
    expect(row.c).not.toContain('SG.host-secret');
    expect(row.c).toContain('host-key');
  });

  it('honours the host configuration (novu-email enabled here)', async () => {
    const create = moduleRef.get(CreateIntegration);
    await expect(create.execute({ actor: actor(), providerId: 'novu-email' })).resolves.toMatchObject({
      integration: { providerId: 'novu-email' },
    });
  });

  it('reports failures as typed domain errors, not HTTP exceptions', async () => {
    const create = moduleRef.get(CreateIntegration);
    const error = await create.execute({ actor: actor(), providerId: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).code).toBe('INVALID_INTEGRATION');
  });

  it("writes the host's own row in the use case's transaction, committed and rolled back with it", async () => {
    const notes = moduleRef.get(HostNotes);
    expect(notes.create).toBe(moduleRef.get(CreateIntegration)); // one library instance

    const kept = await notes.createNoted('mailgun', 'kept');
    const [note] = await dataSource.query('SELECT note FROM host_notes WHERE integration_id = $1', [kept.id]);
    expect(note).toEqual({ note: 'kept' });

    const before = await dataSource.query('SELECT count(*)::int AS n FROM integrations');
    await expect(notes.createNoted('postmark', 'dropped', true)).rejects.toThrow('host work failed');
    expect(await dataSource.query('SELECT count(*)::int AS n FROM integrations')).toEqual(before);
    expect(await dataSource.query("SELECT 1 FROM host_notes WHERE note = 'dropped'")).toHaveLength(0);
  });
});
