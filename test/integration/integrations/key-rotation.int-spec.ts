import { Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  CreateIntegration,
  DeleteIntegration,
  EncryptionKey,
  IntegrationsModule,
  integrationsEntities,
  ListIntegrations,
  ReencryptCredentials,
} from '@app/integrations';
import { insertEnvironment } from '../../support/tenancy-rows';
import { createTestDatabase } from '../../support/test-database';

const oldKey: EncryptionKey = { id: 'old', key: randomBytes(32).toString('base64') };
const newKey: EncryptionKey = { id: 'new', key: randomBytes(32).toString('base64') };

/** Key rotation: put a new key first, re-encrypt, then the old key can go. */
describe('ReencryptCredentials (real PostgreSQL)', () => {
  let database: { url: string; drop(): Promise<void> };
  const organizationId = randomUUID();
  const environmentId = randomUUID();
  const actor = { kind: 'session' as const, organizationId, environmentId, userId: 'u1' };
  const opened: TestingModule[] = [];

  async function host(keys: EncryptionKey[]): Promise<TestingModule> {
    @Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: database.url, entities: [...integrationsEntities] }),
        IntegrationsModule.forRoot({ encryptionKeys: keys }),
      ],
    })
    class HostModule {}
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    await moduleRef.init();
    opened.push(moduleRef);
    return moduleRef;
  }

  async function storedKeyIds(dataSource: DataSource): Promise<string[]> {
    const rows = await dataSource.query(
      `SELECT credentials ->> 'kid' AS c, configurations -> 'inboundWebhookSigningKey' ->> 'kid' AS s FROM integrations`,
    );
    return rows.flatMap((row: { c: string; s: string | null }) => (row.s ? [row.c, row.s] : [row.c])).sort();
  }

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    for (const moduleRef of opened) await moduleRef.close();
    await database?.drop();
  });

  it('moves every stored secret (deleted rows too) onto the new key so the old one can be dropped', async () => {
    const before = await host([oldKey]);
    const dataSource = before.get(DataSource);
    await insertEnvironment(dataSource, { organizationId, environmentId });
    const create = before.get(CreateIntegration);
    for (let i = 0; i < 7; i++) {
      await create.execute({
        actor,
        providerId: 'sendgrid',
        credentials: { apiKey: `SG.${i}`, from: 'a@b.co', senderName: 'R' },
        configurations: i % 2 === 0 ? { inboundWebhookSigningKey: `whsec-${i}` } : {},
      });
    }
    const [deleted] = await before.get(ListIntegrations).execute({ actor });
    await before.get(DeleteIntegration).execute({ actor, integrationId: deleted.id });
    expect(new Set(await storedKeyIds(dataSource))).toEqual(new Set(['old']));

    const rotating = await host([newKey, oldKey]);
    const progress: number[] = [];
    const result = await rotating.get(ReencryptCredentials).execute({ batchSize: 3, onProgress: (done) => progress.push(done) });
    expect(result).toEqual({ reencrypted: 7, remaining: 0 });
    expect(progress).toEqual([3, 6, 7]);
    expect(new Set(await storedKeyIds(dataSource))).toEqual(new Set(['new']));

    const after = await host([newKey]);
    const listed = await after.get(ListIntegrations).execute({ actor });
    expect(listed).toHaveLength(6);
    const expectedKeys = ['SG.0', 'SG.1', 'SG.2', 'SG.3', 'SG.4', 'SG.5', 'SG.6'].filter((k) => k !== deleted.credentials.apiKey);
    expect(listed.map((i) => i.credentials.apiKey).sort()).toEqual(expectedKeys);
    expect(listed.filter((i) => i.configurations.inboundWebhookSigningKey).length).toBeGreaterThan(0);

    const again = await rotating.get(ReencryptCredentials).execute();
    expect(again).toEqual({ reencrypted: 0, remaining: 0 });
  });

  it('cannot read rows of a key it does not have', async () => {
    const stranger = await host([{ id: 'other', key: randomBytes(32).toString('base64') }]);
    await expect(stranger.get(ListIntegrations).execute({ actor })).rejects.toThrow(/key id "new"|unknown key/i);
  });
});
