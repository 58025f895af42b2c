import { TypeOrmIdempotencyStore } from '../../../apps/api/src/idempotency/infrastructure/typeorm-idempotency.store';
import { IdempotencyScope, StoredOutcome } from '../../../apps/api/src/idempotency/idempotency.store';
import { EnvironmentScope } from '../../../libs/integrations/src/domain/integration';
import { buildIntegration } from '../../factories/integration.factory';
import { IntegrationsDb, openIntegrationsDb } from '../integrations/integrations-db';

/** The store's statements as the keyed transaction's last ones, sent with its COMMIT (PostgreSQL). */
describe('TypeOrmIdempotencyStore.save, sent with the COMMIT', () => {
  let db: IntegrationsDb;
  let store: TypeOrmIdempotencyStore;
  let env: EnvironmentScope;
  let counter = 0;

  beforeAll(async () => {
    db = await openIntegrationsDb();
    store = new TypeOrmIdempotencyStore(db.unitOfWork, db.cipher);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    env = await db.newEnvironment();
  });

  const outcome = (body: string): StoredOutcome => ({ fingerprint: { keyId: 'k1', hash: 'a'.repeat(64) }, statusCode: 201, body });
  const exists = async (id: string) => (await db.dataSource.query('SELECT 1 FROM integrations WHERE id = $1', [id])).length === 1;
  const newScope = (): IdempotencyScope => ({ organizationId: env.organizationId, key: `key-${++counter}` });

  /** A keyed transaction: one integration written, then the outcome stored with the COMMIT. */
  function keyedCreate(scope: IdempotencyScope, body: string) {
    const integration = buildIntegration(env);
    const done = db.unitOfWork.runDeferred(
      async () => undefined,
      async (deferred) => {
        await db.unitOfWork.run(() => db.repository.insert(integration));
        await deferred.commit((transaction) => store.save(transaction, scope, outcome(body), 60_000));
      },
    );
    return { integration, done };
  }

  it('stores the outcome and the writes together', async () => {
    const scope = newScope();
    const { integration, done } = keyedCreate(scope, '"first"');
    await done;
    expect(await exists(integration.id)).toBe(true);
    const live = await db.unitOfWork.runStatement((transaction) => store.findLive(transaction, scope));
    expect(live?.body).toBe('"first"');
  });

  it('a live record of the key: the save fails, the COMMIT sent behind it rolls back (no integration without its record)', async () => {
    const scope = newScope();
    await keyedCreate(scope, '"first"').done;
    const second = keyedCreate(scope, '"second"');
    await expect(second.done).rejects.toThrow(/already exists/);
    expect(await exists(second.integration.id)).toBe(false);
    const live = await db.unitOfWork.runStatement((transaction) => store.findLive(transaction, scope));
    expect(live?.body).toBe('"first"');
  });

  it('an expired record of the key is replaced', async () => {
    const scope = newScope();
    await keyedCreate(scope, '"old"').done;
    await db.dataSource.query(
      `UPDATE idempotency_records SET expires_at = now() - interval '1 second' WHERE organization_id = $1 AND idempotency_key = $2`,
      [scope.organizationId, scope.key],
    );
    const renewed = keyedCreate(scope, '"new"');
    await renewed.done;
    expect(await exists(renewed.integration.id)).toBe(true);
    const live = await db.unitOfWork.runStatement((transaction) => store.findLive(transaction, scope));
    expect(live?.body).toBe('"new"');
  });
});
