import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { TransactionHandle, UnitOfWork } from '../../application/ports/unit-of-work';

interface ActiveTransaction {
  readonly dataSource: DataSource;
  readonly manager: EntityManager;
  readonly handle: TransactionHandle;
  /** Run after the outermost transaction commits (not after a rollback). */
  readonly afterCommit: (() => void)[];
}

/**
 * The transaction of the current async context. Keyed by DataSource, so that a process holding
 * several data sources (tests) never hands one's transaction to another.
 */
const storage = new AsyncLocalStorage<ActiveTransaction>();

/** The EntityManager of the surrounding `UnitOfWork.run` on this data source, if any. */
export function transactionManager(dataSource: DataSource): EntityManager | undefined {
  const active = storage.getStore();
  return active && active.dataSource === dataSource ? active.manager : undefined;
}

/**
 * The manager repositories must use: the surrounding transaction's when inside `UnitOfWork.run`,
 * else the data source's default (auto-commit) manager.
 */
export function currentManager(dataSource: DataSource): EntityManager {
  return transactionManager(dataSource) ?? dataSource.manager;
}

/**
 * Runs `action` once the surrounding `UnitOfWork.run` transaction on this data source has committed
 * (never when it rolls back); outside a transaction (auto-commit), right away.
 */
export function onCommit(dataSource: DataSource, action: () => void): void {
  const active = storage.getStore();
  if (active && active.dataSource === dataSource) active.afterCommit.push(action);
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
 */
@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async run<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
    const active = storage.getStore();
    if (active && active.dataSource === this.dataSource) return work(active.handle);
    const afterCommit: (() => void)[] = [];
    const result = await this.dataSource.transaction((manager) => {
      const handle = transactionHandle(manager);
      return storage.run({ dataSource: this.dataSource, manager, handle, afterCommit }, () => work(handle));
    });
    for (const action of afterCommit) action();
    return result;
  }
}

/** The rows of each statement, whatever its kind (TypeORM's plain `query` answers DELETE/UPDATE differently). */
function transactionHandle(manager: EntityManager): TransactionHandle {
  const runner = manager.queryRunner!;
  return {
    async query<Row>(sql: string, parameters: readonly unknown[] = []): Promise<Row[]> {
      const result = await runner.query(sql, [...parameters], true);
      return (result.records ?? []) as Row[];
    },
  };
}
