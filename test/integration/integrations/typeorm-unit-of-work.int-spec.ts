import { EnvironmentScope } from '../../../libs/integrations/src/domain/integration';
import { currentManager, TransactionRequiredError } from '../../../libs/integrations/src/infrastructure/typeorm/typeorm-unit-of-work';
import { buildIntegration } from '../../factories/integration.factory';
import { IntegrationsDb, openIntegrationsDb } from './integrations-db';

/** A promise the test resolves by hand. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('TypeOrmUnitOfWork and lockChannel (PostgreSQL)', () => {
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

  const txid = async () => (await currentManager(db.dataSource).query('SELECT txid_current() AS id'))[0].id as string;
  const exists = async (id: string) => (await db.dataSource.query('SELECT 1 FROM integrations WHERE id = $1', [id])).length === 1;

  /** Resolves once `count` sessions wait for an advisory lock (a database state, not a timer). */
  async function waitersOnAdvisoryLock(count: number): Promise<void> {
    for (let attempt = 0; attempt < 500; attempt++) {
      const [{ waiting }] = await db.dataSource.query(
        `SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      if (waiting >= count) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`no session waited for the advisory lock`);
  }

  it('commits the work of run and of nested runs together, in one transaction', async () => {
    const outer = buildIntegration(env);
    const inner = buildIntegration(env);
    await db.unitOfWork.run(async () => {
      const outerTx = await txid();
      await db.repository.insert(outer);
      await db.unitOfWork.run(async () => {
        expect(await txid()).toBe(outerTx);
        await db.repository.insert(inner);
      });
      // Not visible outside the transaction before it commits.
      expect(await db.dataSource.query('SELECT 1 FROM integrations WHERE id = $1', [outer.id])).toHaveLength(0);
    });
    expect(await exists(outer.id)).toBe(true);
    expect(await exists(inner.id)).toBe(true);
  });

  it('rolls everything back when the work throws, including nested runs', async () => {
    const outer = buildIntegration(env);
    const inner = buildIntegration(env);
    await expect(
      db.unitOfWork.run(async () => {
        await db.repository.insert(outer);
        await db.unitOfWork.run(() => db.repository.insert(inner));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await exists(outer.id)).toBe(false);
    expect(await exists(inner.id)).toBe(false);
  });

  it('uses a separate statement per call outside run (no transaction leaks)', async () => {
    expect(currentManager(db.dataSource)).toBe(db.dataSource.manager);
    await db.unitOfWork.run(async () => expect(currentManager(db.dataSource)).not.toBe(db.dataSource.manager));
    expect(currentManager(db.dataSource)).toBe(db.dataSource.manager);
  });

  it('lockChannel refuses to run outside a transaction', async () => {
    await expect(db.repository.lockChannel(env, 'email')).rejects.toBeInstanceOf(TransactionRequiredError);
    await expect(db.repository.lockChannel(env, 'email')).rejects.toThrow(/inside UnitOfWork\.run/);
  });

  it('lockChannel serialises two transactions of one environment and channel until the first ends', async () => {
    const events: string[] = [];
    const firstLocked = gate();
    const releaseFirst = gate();

    const first = db.unitOfWork.run(async () => {
      await db.repository.lockChannel(env, 'email');
      events.push('first locked');
      firstLocked.open();
      await releaseFirst.promise;
      events.push('first ends');
    });
    await firstLocked.promise;

    const second = db.unitOfWork.run(async () => {
      events.push('second asks');
      await db.repository.lockChannel(env, 'email');
      events.push('second locked');
    });
    await waitersOnAdvisoryLock(1);
    expect(events).toEqual(['first locked', 'second asks']);

    releaseFirst.open();
    await Promise.all([first, second]);
    expect(events).toEqual(['first locked', 'second asks', 'first ends', 'second locked']);
  });

  it('lockChannel lets other channels, agents and environments proceed', async () => {
    const releaseFirst = gate();
    const firstLocked = gate();
    const other = await db.newEnvironment(env.organizationId);

    const first = db.unitOfWork.run(async () => {
      await db.repository.lockChannel(env, 'email');
      firstLocked.open();
      await releaseFirst.promise;
    });
    await firstLocked.promise;

    // Each completes while the first still holds its lock.
    await db.unitOfWork.run(() => db.repository.lockChannel(env, 'sms'));
    await db.unitOfWork.run(() => db.repository.lockChannel(env, undefined));
    await db.unitOfWork.run(() => db.repository.lockChannel(other, 'email'));

    releaseFirst.open();
    await first;
  });

  it('lockChannel (taken by loadChannel) makes read-then-place safe under concurrency', async () => {
    // Three concurrent "create active" flows each load the channel, place the newcomer and save.
    const activate = (name: string) =>
      db.unitOfWork.run(async () => {
        const channel = await db.repository.loadChannel(env, 'email');
        channel.admit(buildIntegration({ ...env, name, active: true }));
        await db.repository.saveChannel(channel);
      });
    await Promise.all([activate('a'), activate('b'), activate('c')]);

    const active = await db.repository.listActivePriorities(env, 'email');
    expect(active.map((i) => i.priority)).toEqual([3, 2, 1]);
    expect(active.filter((i) => i.primary)).toHaveLength(1);
  });
});
