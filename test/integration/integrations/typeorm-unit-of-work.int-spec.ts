import type { Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { TransactionHandle } from '../../../libs/integrations/src/application/ports/unit-of-work';
import { EnvironmentScope } from '../../../libs/integrations/src/domain/integration';
import {
  currentManager,
  onCommit,
  pipelined,
  TransactionRequiredError,
} from '../../../libs/integrations/src/infrastructure/typeorm/typeorm-unit-of-work';
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

  it('pipelined: statements sent together run in their order, in the transaction; the first failure is the answer', async () => {
    const order = await db.unitOfWork.run(async () => {
      const manager = currentManager(db.dataSource);
      await manager.query('CREATE TEMP TABLE pipeline_order (n int) ON COMMIT DROP');
      await pipelined(
        db.dataSource,
        [1, 2, 3, 4, 5].map((n) => () => manager.query('INSERT INTO pipeline_order (n) VALUES ($1)', [n])),
      );
      return (await manager.query('SELECT array_agg(n ORDER BY ctid) AS ns FROM pipeline_order'))[0].ns;
    });
    expect(order).toEqual([1, 2, 3, 4, 5]);

    const first = buildIntegration(env);
    await expect(
      db.unitOfWork.run(() =>
        pipelined<unknown>(db.dataSource, [
          () => db.repository.insert(first),
          () => currentManager(db.dataSource).query('SELECT 1 / 0'),
          () => currentManager(db.dataSource).query('SELECT 1'),
        ]),
      ),
    ).rejects.toThrow(/division by zero/);
    expect(await exists(first.id)).toBe(false);
  });

  describe('runDeferred', () => {
    /** Connections checked out of the pool (held by a query runner): 0 when every one was released. */
    const held = () => {
      const pool = (db.dataSource.driver as PostgresDriver).master as Pool;
      return pool.totalCount - pool.idleCount;
    };
    const txidOf = async (transaction: TransactionHandle) => (await transaction.query<{ id: string }>('SELECT txid_current() AS id'))[0].id;

    it('holds no connection until the first run, which begins the transaction after onBegin', async () => {
      const events: string[] = [];
      await db.unitOfWork.runDeferred(
        async () => void events.push('onBegin'),
        async () => {
          expect(held()).toBe(0);
          // Outside any run, before the beginning: auto-commit statements.
          expect(currentManager(db.dataSource)).toBe(db.dataSource.manager);
          await db.unitOfWork.run(async () => void events.push('work'));
          expect(held()).toBe(1);
        },
      );
      expect(events).toEqual(['onBegin', 'work']);
      expect(held()).toBe(0);
    });

    it('lets later runs join the transaction and commits nothing until the owner commits', async () => {
      const first = buildIntegration(env);
      const second = buildIntegration(env);
      let beganIn: string | undefined;
      await db.unitOfWork.runDeferred(
        async (transaction) => void (beganIn = await txidOf(transaction)),
        async (deferred) => {
          const firstTx = await db.unitOfWork.run(async (transaction) => {
            await db.repository.insert(first);
            return txidOf(transaction);
          });
          expect(await exists(first.id)).toBe(false); // the first run resolved, nothing committed
          // After the beginning, repository calls outside run use the transaction too.
          expect(await txid()).toBe(firstTx);
          const secondTx = await db.unitOfWork.run(async () => {
            await db.repository.insert(second);
            return txid();
          });
          expect([beganIn, secondTx, await txidOf(await deferred.open())]).toEqual([firstTx, firstTx, firstTx]);
          expect(await exists(second.id)).toBe(false);
          await deferred.commit();
          expect(held()).toBe(0);
          await expect(db.unitOfWork.run(async () => 'late')).rejects.toThrow(/has ended/);
        },
      );
      expect(await exists(first.id)).toBe(true);
      expect(await exists(second.id)).toBe(true);
    });

    it('rolls back what the owner does not commit: a body that returns, a body that throws, a run that throws', async () => {
      const returned = buildIntegration(env);
      await db.unitOfWork.runDeferred(
        async () => undefined,
        async () => db.unitOfWork.run(() => db.repository.insert(returned)),
      );
      const thrown = buildIntegration(env);
      await expect(
        db.unitOfWork.runDeferred(
          async () => undefined,
          async () => {
            await db.unitOfWork.run(() => db.repository.insert(thrown));
            throw new Error('boom');
          },
        ),
      ).rejects.toThrow('boom');
      // A run whose work throws keeps the transaction open for the owner (no rollback of its own).
      const kept = buildIntegration(env);
      await db.unitOfWork.runDeferred(
        async () => undefined,
        async (deferred) => {
          await db.unitOfWork.run(() => db.repository.insert(kept));
          await expect(db.unitOfWork.run(() => Promise.reject(new Error('work failed')))).rejects.toThrow('work failed');
          await deferred.commit();
        },
      );
      expect(await exists(returned.id)).toBe(false);
      expect(await exists(thrown.id)).toBe(false);
      expect(await exists(kept.id)).toBe(true);
      expect(held()).toBe(0);
    });

    it('keeps a savepoint taken in onBegin usable by the owner (and the transaction after a failed statement)', async () => {
      const undone = buildIntegration(env);
      const kept = buildIntegration(env);
      await db.unitOfWork.runDeferred(
        async (transaction) => void (await transaction.query('SAVEPOINT owner')),
        async (deferred) => {
          await expect(
            db.unitOfWork.run(async (transaction) => {
              await db.repository.insert(undone);
              await transaction.query('SELECT 1 / 0'); // aborts the transaction
            }),
          ).rejects.toThrow(/division by zero/);
          const transaction = await deferred.open();
          await transaction.query('ROLLBACK TO SAVEPOINT owner');
          await db.unitOfWork.run(() => db.repository.insert(kept));
          await deferred.commit();
        },
      );
      expect(await exists(undone.id)).toBe(false);
      expect(await exists(kept.id)).toBe(true);
      expect(held()).toBe(0);
    });

    it('rolls back when onBegin throws, and answers every run and open() of the scope with its error', async () => {
      const refused = new Error('refused');
      const written = buildIntegration(env);
      let begins = 0;
      const outcome = db.unitOfWork.runDeferred(
        async () => {
          begins++;
          await db.unitOfWork.run(() => db.repository.insert(written)); // joins the beginning transaction
          throw refused;
        },
        async (deferred) => {
          const work = jest.fn(async () => 'never');
          // Two concurrent runs share one beginning.
          const results = await Promise.allSettled([db.unitOfWork.run(work), db.unitOfWork.run(work)]);
          expect(results).toEqual([
            { status: 'rejected', reason: refused },
            { status: 'rejected', reason: refused },
          ]);
          expect(held()).toBe(0);
          await expect(db.unitOfWork.run(work)).rejects.toBe(refused);
          await expect(deferred.open()).rejects.toBe(refused);
          await expect(deferred.commit()).rejects.toThrow(/no begun deferred transaction/);
          expect(work).not.toHaveBeenCalled();
          return db.unitOfWork.run(work); // the error leaves the scope unchanged
        },
      );
      await expect(outcome).rejects.toBe(refused);
      expect(begins).toBe(1);
      expect(await exists(written.id)).toBe(false);
      expect(held()).toBe(0);
    });

    it('lets the owner begin the transaction itself when no run did (onBegin first), and commit it', async () => {
      const events: string[] = [];
      let beganIn: string | undefined;
      const id = await db.unitOfWork.runDeferred(
        async (transaction) => {
          events.push('onBegin');
          beganIn = await txidOf(transaction);
        },
        async (deferred) => {
          const transaction = await deferred.open();
          events.push('opened');
          expect(await txidOf(transaction)).toBe(beganIn);
          const [{ id }] = await transaction.query<{ id: string }>(
            `INSERT INTO organizations (id, name) VALUES (gen_random_uuid(), 'deferred') RETURNING id`,
          );
          await deferred.commit();
          return id;
        },
      );
      expect(events).toEqual(['onBegin', 'opened']);
      expect(await db.dataSource.query('SELECT 1 FROM organizations WHERE id = $1', [id])).toHaveLength(1);
      expect(held()).toBe(0);
    });

    it('overlapBegin: sends the work behind onBegin; when onBegin fails, that work rolls back and the run answers its error', async () => {
      const refused = new Error('refused');
      const sentBehind = buildIntegration(env);
      let workCalls = 0;
      await expect(
        db.unitOfWork.runDeferred(
          async (transaction) => {
            const answer = transaction.query('SELECT 1 AS one'); // sent first; its answer is awaited after the work started
            await answer;
            throw refused;
          },
          async () =>
            db.unitOfWork.run(async () => {
              workCalls++;
              await db.repository.insert(sentBehind);
              return 'written';
            }),
          { overlapBegin: true },
        ),
      ).rejects.toBe(refused);
      expect(workCalls).toBe(1);
      expect(await exists(sentBehind.id)).toBe(false);
      expect(held()).toBe(0);
    });

    it('overlapBegin: a failed opening statement makes the statements sent behind it fail at once (nothing runs after it)', async () => {
      const sentBehind = buildIntegration(env);
      const outcome = await db.unitOfWork
        .runDeferred(
          async (transaction) => void (await transaction.query('SELECT 1 / 0')),
          async () => db.unitOfWork.run(() => db.repository.insert(sentBehind)),
          { overlapBegin: true },
        )
        .catch((error: Error) => error.message);
      expect(outcome).toMatch(/division by zero/);
      expect(await exists(sentBehind.id)).toBe(false);
      expect(held()).toBe(0);
    });

    it('commit(last): statements sent with the COMMIT; when one fails the transaction rolls back and commit rejects with it', async () => {
      const kept = buildIntegration(env);
      await db.unitOfWork.runDeferred(
        async () => undefined,
        async (deferred) => {
          await db.unitOfWork.run(() => db.repository.insert(kept));
          await deferred.commit(async (transaction) => void (await transaction.query('SELECT 1')));
        },
      );
      expect(await exists(kept.id)).toBe(true);

      const undone = buildIntegration(env);
      const afterCommit = jest.fn();
      await expect(
        db.unitOfWork.runDeferred(
          async () => undefined,
          async (deferred) => {
            await db.unitOfWork.run(async () => {
              await db.repository.insert(undone);
              onCommit(db.dataSource, afterCommit);
            });
            await deferred.commit(async (transaction) => void (await transaction.query('SELECT 1 / 0')));
          },
        ),
      ).rejects.toThrow(/division by zero/);
      expect(afterCommit).not.toHaveBeenCalled();
      expect(await exists(undone.id)).toBe(false);
      expect(held()).toBe(0);
    });

    it('runStatement joins the scope (beginning its transaction), and outside any transaction runs in auto-commit', async () => {
      const inScope = buildIntegration(env);
      await db.unitOfWork.runDeferred(
        async () => undefined,
        async () => {
          await db.unitOfWork.runStatement(() => db.repository.insert(inScope));
          expect(held()).toBe(1);
          expect(await exists(inScope.id)).toBe(false); // uncommitted: the owner did not commit
        },
      );
      expect(await exists(inScope.id)).toBe(false);

      const alone = buildIntegration(env);
      await db.unitOfWork.runStatement(async (transaction) => {
        await db.repository.insert(alone);
        // Committed by its own statement: visible to another connection at once.
        expect(await exists(alone.id)).toBe(true);
        expect(await transaction.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      });
      expect(held()).toBe(0);
    });

    it('cannot be opened inside a transaction', async () => {
      await expect(
        db.unitOfWork.run(() =>
          db.unitOfWork.runDeferred(
            async () => undefined,
            async () => 'x',
          ),
        ),
      ).rejects.toThrow(/cannot be called inside UnitOfWork\.run/);
    });
  });
});
