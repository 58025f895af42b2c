import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { DeferredTransaction, TransactionHandle, UnitOfWork } from '../../application/ports/unit-of-work';

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
 * One database transaction per outermost `run`. A nested `run` joins the outer transaction (no
 * savepoint) and gets its handle: everything commits together when the outermost work resolves and
 * rolls back when it throws. The library's repositories find the transaction through
 * `currentManager(dataSource)`; hosts get it only as the `TransactionHandle` handed to `work`.
 * In a `runDeferred` scope every `run` joins the scope's transaction, begun by the first of them,
 * and only the scope's owner commits it (see `DeferredScope`).
 */
@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async run<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
    const context = storage.getStore();
    if (context && context.dataSource === this.dataSource) {
      const active = context instanceof DeferredScope ? await context.begin() : context;
      return work(active.handle);
    }
    const afterCommit: (() => void)[] = [];
    const result = await this.dataSource.transaction((manager) => {
      const handle = transactionHandle(manager.queryRunner!);
      return storage.run({ dataSource: this.dataSource, manager, handle, afterCommit }, () => work(handle));
    });
    for (const action of afterCommit) action();
    return result;
  }

  async runDeferred<T>(
    onBegin: (transaction: TransactionHandle) => Promise<void>,
    body: (deferred: DeferredTransaction) => Promise<T>,
  ): Promise<T> {
    if (storage.getStore()?.dataSource === this.dataSource) {
      throw new Error('UnitOfWork.runDeferred cannot be called inside UnitOfWork.run or another deferred scope');
    }
    const scope = new DeferredScope(this.dataSource, onBegin);
    try {
      return await storage.run(scope, () => body(scope));
    } finally {
      await scope.close();
    }
  }
}

/**
 * The transaction of a `runDeferred` scope: begun by the first `begin()` (a `run`, or the owner's
 * `open()`) on a query runner of its own, which it keeps until `commit()` or `close()`. Concurrent
 * and later `begin()` calls share the first one's outcome, so `onBegin` runs at most once and its
 * failure is every caller's.
 */
class DeferredScope implements DeferredTransaction {
  /** The transaction, from the moment `onBegin` succeeded until it ends. */
  begun: ActiveTransaction | undefined;
  private beginning: Promise<ActiveTransaction> | undefined;
  private runner: QueryRunner | undefined;
  private ended = false;

  constructor(
    readonly dataSource: DataSource,
    private readonly onBegin: (transaction: TransactionHandle) => Promise<void>,
  ) {}

  begin(): Promise<ActiveTransaction> {
    if (this.ended) return Promise.reject(new Error('the deferred transaction has ended: no more work can join it'));
    return (this.beginning ??= this.start());
  }

  async open(): Promise<TransactionHandle> {
    return (await this.begin()).handle;
  }

  async commit(): Promise<void> {
    if (this.ended || !this.begun) throw new Error('no begun deferred transaction to commit (open it first)');
    this.ended = true;
    const begun = this.begun;
    this.begun = undefined;
    const runner = this.runner!;
    this.runner = undefined;
    try {
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    for (const action of begun.afterCommit) action();
  }

  /** Ends the scope: a transaction not committed rolls back; the connection is released. Never throws. */
  async close(): Promise<void> {
    this.ended = true;
    await this.beginning?.catch(() => undefined); // a beginning still in flight settles first
    this.begun = undefined;
    await this.abandon();
  }

  private async start(): Promise<ActiveTransaction> {
    const runner = this.dataSource.createQueryRunner();
    this.runner = runner;
    try {
      await runner.connect();
      await runner.startTransaction();
      const active: ActiveTransaction = {
        dataSource: this.dataSource,
        manager: runner.manager,
        handle: transactionHandle(runner),
        afterCommit: [],
      };
      // A `run` inside onBegin joins the transaction directly instead of waiting for its own beginning.
      await storage.run(active, () => this.onBegin(active.handle));
      this.begun = active;
      return active;
    } catch (error) {
      await this.abandon(); // `beginning` keeps this rejection: every later begin() answers with it
      throw error;
    }
  }

  /** Rolls back the transaction still held (if any) and releases its connection. */
  private async abandon(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    if (!runner) return;
    try {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
    } catch {
      // As TypeORM's own transaction(): the original outcome matters; a connection that cannot roll
      // back is broken, and PostgreSQL ends the transaction of a closed connection.
    } finally {
      await runner.release();
    }
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
