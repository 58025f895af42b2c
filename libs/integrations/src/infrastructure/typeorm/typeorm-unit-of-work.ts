import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { DeferredOptions, DeferredTransaction, TransactionHandle, UnitOfWork } from '../../application/ports/unit-of-work';

interface ActiveTransaction {
  readonly dataSource: DataSource;
  readonly manager: EntityManager;
  readonly handle: TransactionHandle;
  /** Run once the transaction has committed (never when it rolls back): see `onCommit`. */
  readonly afterCommit: (() => void)[];
}

/**
 * The transaction of the current async context, or the deferred scope (`runDeferred`) it runs in.
 * Keyed by DataSource, so that a process holding several data sources (tests) never hands one's
 * transaction to another.
 */
const storage = new AsyncLocalStorage<ActiveTransaction | DeferredScope>();

/**
 * The EntityManager of the surrounding `UnitOfWork.run` on this data source, if any; in a deferred
 * scope, its transaction once a `run` has begun it (until it ends).
 */
export function transactionManager(dataSource: DataSource): EntityManager | undefined {
  const context = storage.getStore();
  if (!context || context.dataSource !== dataSource) return undefined;
  return context instanceof DeferredScope ? context.begun?.manager : context.manager;
}

/**
 * The manager repositories must use: the surrounding transaction's when inside `UnitOfWork.run`,
 * else the data source's default (auto-commit) manager.
 */
export function currentManager(dataSource: DataSource): EntityManager {
  return transactionManager(dataSource) ?? dataSource.manager;
}

/**
 * Runs `action` once the surrounding transaction on this data source has committed (never when it
 * rolls back); outside a transaction (auto-commit, or a deferred scope not begun yet), right away.
 */
export function onCommit(dataSource: DataSource, action: () => void): void {
  const context = storage.getStore();
  const active = context && context.dataSource === dataSource ? (context instanceof DeferredScope ? context.begun : context) : undefined;
  if (active) active.afterCommit.push(action);
  else action();
}

/** Thrown by operations that only make sense inside a transaction (e.g. transaction-scoped locks). */
export class TransactionRequiredError extends Error {
  constructor(operation: string) {
    super(`${operation} must be called inside UnitOfWork.run (it needs a database transaction)`);
    this.name = 'TransactionRequiredError';
  }
}

/** The transaction's manager, or a `TransactionRequiredError` naming the operation. */
export function requireTransactionManager(dataSource: DataSource, operation: string): EntityManager {
  const manager = transactionManager(dataSource);
  if (!manager) throw new TransactionRequiredError(operation);
  return manager;
}

/**
 * Sends `calls` (each makes one statement on the surrounding transaction) without waiting for one
 * answer before the next statement: inside a transaction of this unit of work they share one round
 * trip and run in order; outside one, one after the other. Resolves with every result once all
 * answered; rejects with the first failure in order (a failed statement aborts the transaction, so
 * the ones after it fail too: their errors say nothing more). The calls must reach the database by
 * the same path (e.g. all through `manager.query`) so that they are sent in their order.
 */
export async function pipelined<T>(dataSource: DataSource, calls: readonly (() => Promise<T>)[]): Promise<T[]> {
  if (!transactionManager(dataSource) || calls.length < 2) {
    const results: T[] = [];
    for (const call of calls) results.push(await call());
    return results;
  }
  const outcomes = await Promise.allSettled(calls.map((call) => call()));
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
}

/**
 * One database transaction per outermost `run`. A nested `run` joins the outer transaction (no
 * savepoint) and gets its handle: everything commits together when the outermost work resolves and
 * rolls back when it throws. The library's repositories find the transaction through
 * `currentManager(dataSource)`; hosts get it only as the `TransactionHandle` handed to `work`.
 * In a `runDeferred` scope every `run` joins the scope's transaction, begun by the first of them,
 * and only the scope's owner commits it (see `DeferredScope`).
 *
 * Round trips: a transaction's connection pipelines (node-postgres pipeline mode, while the
 * transaction holds it), so BEGIN travels with the work's first statements and `pipelined` calls
 * share one round trip. `runStatement` outside any transaction is one auto-commit statement.
 */
@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async run<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
    const context = storage.getStore();
    if (context && context.dataSource === this.dataSource) {
      return context instanceof DeferredScope ? context.join(work) : work(context.handle);
    }
    const transaction = await PipelinedTransaction.open(this.dataSource);
    const active: ActiveTransaction = {
      dataSource: this.dataSource,
      manager: transaction.runner.manager,
      handle: transactionHandle(transaction.runner),
      afterCommit: [],
    };
    let result: T;
    try {
      // BEGIN is on its way: the work's first statements follow it in the same round trip.
      result = await settledBehind(
        transaction.begun,
        storage.run(active, () => work(active.handle)),
      );
      await transaction.commit();
    } catch (error) {
      await transaction.abandon();
      throw error;
    }
    for (const action of active.afterCommit) action();
    return result;
  }

  override async runStatement<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
    const context = storage.getStore();
    if (context && context.dataSource === this.dataSource) return this.run(work);
    return work(autoCommitHandle(this.dataSource));
  }

  async runDeferred<T>(
    onBegin: (transaction: TransactionHandle) => Promise<void>,
    body: (deferred: DeferredTransaction) => Promise<T>,
    options: DeferredOptions = {},
  ): Promise<T> {
    if (storage.getStore()?.dataSource === this.dataSource) {
      throw new Error('UnitOfWork.runDeferred cannot be called inside UnitOfWork.run or another deferred scope');
    }
    const scope = new DeferredScope(this.dataSource, onBegin, options.overlapBegin === true);
    try {
      return await storage.run(scope, () => body(scope));
    } finally {
      await scope.close();
    }
  }
}

/**
 * Waits for `begun` (the transaction's opening statements) and `work` (sent behind them) to settle,
 * and answers as the opening failed if it did (the work then ran in a transaction that rolls back),
 * else as the work did. Never leaves `work` running: nothing is sent after a ROLLBACK that follows.
 */
async function settledBehind<T>(begun: Promise<unknown>, work: Promise<T>): Promise<T> {
  const [opening, outcome] = await Promise.allSettled([begun, work]);
  if (opening.status === 'rejected') throw opening.reason;
  if (outcome.status === 'rejected') throw outcome.reason;
  return outcome.value;
}

/** The parts of node-postgres's client this file relies on (pipeline mode exists since pg 8.21). */
interface PipeliningClient {
  pipeline?: boolean;
}

/** TypeORM's bookkeeping of a transaction it did not open itself (what `startTransaction` sets). */
function transactionState(runner: QueryRunner, active: boolean): void {
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  state.isTransactionActive = active;
  state.transactionDepth = active ? 1 : 0;
}

/**
 * A transaction on a query runner of its own, with raw BEGIN/COMMIT/ROLLBACK sent through the
 * runner (so that they keep their place among the work's statements), while the runner's
 * connection pipelines. TypeORM's own transaction state is kept in step, so that its methods that
 * would open a transaction of their own (`save`) join this one instead.
 */
class PipelinedTransaction {
  private ended = false;

  private constructor(
    readonly runner: QueryRunner,
    private readonly client: PipeliningClient,
    /** Settles when BEGIN was answered. */
    readonly begun: Promise<unknown>,
  ) {}

  /** Takes a connection (the only wait) and sends BEGIN without waiting for its answer. */
  static async open(dataSource: DataSource): Promise<PipelinedTransaction> {
    const runner = dataSource.createQueryRunner();
    let client: PipeliningClient;
    try {
      client = (await runner.connect()) as PipeliningClient;
    } catch (error) {
      await runner.release();
      throw error;
    }
    client.pipeline = true;
    transactionState(runner, true);
    const begun = runner.query('BEGIN');
    begun.catch(() => undefined); // answered by whoever waits on `begun`; never unhandled
    return new PipelinedTransaction(runner, client, begun);
  }

  async commit(): Promise<void> {
    await this.end('COMMIT');
  }

  /** Rolls back (when still open) and releases the connection. Never throws. */
  async abandon(): Promise<void> {
    if (!this.ended) {
      try {
        await this.end('ROLLBACK');
      } catch {
        // As TypeORM's own transaction(): the original outcome matters; a connection that cannot
        // roll back is broken, and PostgreSQL ends the transaction of a closed connection.
      }
    }
    await this.release();
  }

  async release(): Promise<void> {
    if (this.runner.isReleased) return;
    // Every statement sent was answered (the last one, COMMIT or ROLLBACK, came after them all).
    this.client.pipeline = false;
    await this.runner.release();
  }

  private async end(statement: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    this.ended = true;
    try {
      await this.runner.query(statement);
    } finally {
      transactionState(this.runner, false);
    }
    if (statement === 'COMMIT') await this.release();
  }
}

/**
 * The transaction of a `runDeferred` scope: begun by the first `begin()` (a `run`, or the owner's
 * `open()`) on a query runner of its own, which it keeps until `commit()` or `close()`. Concurrent
 * and later `begin()` calls share the first one's outcome, so `onBegin` runs at most once and its
 * failure is every caller's. With `overlapBegin`, a `run` sends its work behind `onBegin`'s
 * statements instead of waiting for their answers (see `DeferredOptions`).
 */
class DeferredScope implements DeferredTransaction {
  /** The transaction, from the moment `onBegin` succeeded until it ends. */
  begun: ActiveTransaction | undefined;
  /** Resolves once BEGIN and `onBegin`'s statements are sent (the connection taken). */
  private sent: Promise<ActiveTransaction> | undefined;
  /** Resolves once BEGIN and `onBegin` succeeded; rejects with the first failure. */
  private opened: Promise<ActiveTransaction> | undefined;
  /** Set as soon as the opening failed: no more work is sent behind it. */
  private openingFailed = false;
  /** Work sent behind the opening, still running (waited for before a failed opening rolls back). */
  private readonly overlapping = new Set<Promise<unknown>>();
  private transaction: PipelinedTransaction | undefined;
  private ended = false;

  constructor(
    readonly dataSource: DataSource,
    private readonly onBegin: (transaction: TransactionHandle) => Promise<void>,
    private readonly overlapBegin: boolean,
  ) {}

  /** The scope's transaction once begun (BEGIN and `onBegin` succeeded). */
  begin(): Promise<ActiveTransaction> {
    if (this.ended) return Promise.reject(new Error('the deferred transaction has ended: no more work can join it'));
    this.start();
    return this.opened!;
  }

  /** A `run` of the scope: after the beginning, or (overlapping) sent right behind it. */
  async join<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
    if (!this.overlapBegin || this.ended) return work((await this.begin()).handle);
    this.start();
    const active = await this.sent!;
    if (this.openingFailed || this.ended) return work((await this.begin()).handle); // rejects as the opening did
    const running = storage.run(active, () => work(active.handle));
    this.overlapping.add(running);
    try {
      return await settledBehind(this.opened!, running);
    } finally {
      this.overlapping.delete(running);
    }
  }

  async open(): Promise<TransactionHandle> {
    return (await this.begin()).handle;
  }

  async commit(last?: (transaction: TransactionHandle) => Promise<void>): Promise<void> {
    if (this.ended || !this.begun) throw new Error('no begun deferred transaction to commit (open it first)');
    this.ended = true;
    const begun = this.begun;
    this.begun = undefined;
    const transaction = this.transaction!;
    this.transaction = undefined;
    try {
      // `last` sends its statements first, the COMMIT follows them in the same round trip. A failed
      // statement aborted the transaction: that COMMIT rolled back, and commit rejects with its error.
      const lastStatements = last ? storage.run(begun, () => last(begun.handle)) : Promise.resolve();
      const [written, committed] = await Promise.allSettled([lastStatements, transaction.commit()]);
      if (written.status === 'rejected') throw written.reason;
      if (committed.status === 'rejected') throw committed.reason;
    } finally {
      await transaction.abandon();
    }
    for (const action of begun.afterCommit) action();
  }

  /** Ends the scope: a transaction not committed rolls back; the connection is released. Never throws. */
  async close(): Promise<void> {
    this.ended = true;
    await this.opened?.catch(() => undefined); // a beginning still in flight settles first
    this.begun = undefined;
    const transaction = this.transaction;
    this.transaction = undefined;
    await transaction?.abandon();
  }

  private start(): void {
    if (this.sent) return;
    const sent = this.send();
    this.sent = sent.then(({ active }) => active);
    this.opened = sent.then(({ active, opening }) => this.settle(active, opening));
    this.sent.catch(() => undefined);
    this.opened.catch(() => undefined);
  }

  /** Takes the connection and sends BEGIN and `onBegin`'s statements without waiting for answers. */
  private async send(): Promise<{ active: ActiveTransaction; opening: Promise<unknown> }> {
    const transaction = await PipelinedTransaction.open(this.dataSource);
    this.transaction = transaction;
    const active: ActiveTransaction = {
      dataSource: this.dataSource,
      manager: transaction.runner.manager,
      handle: transactionHandle(transaction.runner),
      afterCommit: [],
    };
    // A `run` inside onBegin joins the transaction directly instead of waiting for its own beginning.
    const onBegin = storage.run(active, () => this.onBegin(active.handle));
    const opening = settledBehind(transaction.begun, onBegin);
    opening.catch(() => undefined);
    return { active, opening };
  }

  private async settle(active: ActiveTransaction, opening: Promise<unknown>): Promise<ActiveTransaction> {
    try {
      await opening;
    } catch (error) {
      // `opened` keeps this rejection: every later begin() answers with it. Work already sent
      // behind the opening finishes first: nothing may follow the ROLLBACK on this connection.
      this.openingFailed = true;
      await Promise.allSettled([...this.overlapping]);
      const transaction = this.transaction;
      this.transaction = undefined;
      await transaction?.abandon();
      throw error;
    }
    this.begun = active;
    return active;
  }
}

/** The rows of each statement, whatever its kind (TypeORM's plain `query` answers DELETE/UPDATE differently). */
function transactionHandle(runner: QueryRunner): TransactionHandle {
  return {
    async query<Row>(sql: string, parameters: readonly unknown[] = []): Promise<Row[]> {
      const result = await runner.query(sql, [...parameters], true);
      return (result.records ?? []) as Row[];
    },
  };
}

/** Statements outside any transaction: each on a pooled connection, in auto-commit. */
function autoCommitHandle(dataSource: DataSource): TransactionHandle {
  return {
    async query<Row>(sql: string, parameters: readonly unknown[] = []): Promise<Row[]> {
      const runner = dataSource.createQueryRunner();
      try {
        const result = await runner.query(sql, [...parameters], true);
        return (result.records ?? []) as Row[];
      } finally {
        await runner.release();
      }
    },
  };
}
