import { Module } from '@nestjs/common';
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
} from '@app/integrations';
import { insertEnvironment } from '../support/tenancy-rows';
import { createTestDatabase } from '../support/test-database';

/**
 * Another NestJS application using the library in-process, with its own configuration and no
 * HTTP: it registers the library's entities in its own TypeORM connection and calls the use cases.
 */
describe('IntegrationsModule in another Nest host (no HTTP)', () => {
  let database: { url: string; drop(): Promise<void> };
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  const organizationId = randomUUID();
  const environmentId = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase();

    @Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: database.url, entities: [...integrationsEntities] }),
        IntegrationsModule.forRootAsync({
          useFactory: async () => ({
            encryptionKeys: [{ id: 'host-key', key: randomBytes(32).toString('base64') }],
            novuDemoProviders: { email: true },
          }),
        }),
      ],
    })
    class HostModule {}

    moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    await moduleRef.init();
    dataSource = moduleRef.get(DataSource);
    await insertEnvironment(dataSource, { organizationId, environmentId });
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
    await expect(create.execute({ actor: actor(), providerId: 'novu-email' })).resolves.toMatchObject({ integration: { providerId: 'novu-email' } });
  });

  it('reports failures as typed domain errors, not HTTP exceptions', async () => {
    const create = moduleRef.get(CreateIntegration);
    const error = await create.execute({ actor: actor(), providerId: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).code).toBe('INVALID_INTEGRATION');
  });
});
