import { randomUUID } from 'node:crypto';
import { currentManager } from '../../../libs/integrations/src/infrastructure/typeorm/typeorm-unit-of-work';
import { IntegrationsDb, openIntegrationsDb } from './integrations-db';
import { insertEnvironment } from '../../support/tenancy-rows';

describe('TypeOrmEnvironmentDirectory (PostgreSQL)', () => {
  let db: IntegrationsDb;

  beforeAll(async () => {
    db = await openIntegrationsDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('finds an environment with its organization', async () => {
    const env = await db.newEnvironment();
    expect(await db.environments.find(env.environmentId)).toEqual({ id: env.environmentId, organizationId: env.organizationId });
  });

  it.each(['', 'not-a-uuid', '123', `${randomUUID()}x`])('answers undefined for the non-UUID %p', async (id) => {
    expect(await db.environments.find(id)).toBeUndefined();
  });

  it('answers undefined for an unknown UUID', async () => {
    expect(await db.environments.find(randomUUID())).toBeUndefined();
  });

  it('reads inside the surrounding transaction', async () => {
    const organizationId = randomUUID();
    const environmentId = randomUUID();
    await expect(
      db.unitOfWork.run(async () => {
        await insertEnvironment(currentManager(db.dataSource), { organizationId, environmentId });
        // Uncommitted, so only visible through the transaction.
        expect(await db.environments.find(environmentId)).toEqual({ id: environmentId, organizationId });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await db.environments.find(environmentId)).toBeUndefined();
  });
});
