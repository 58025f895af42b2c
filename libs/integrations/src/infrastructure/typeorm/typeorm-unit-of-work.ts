import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { UnitOfWork } from '../../application/ports/unit-of-work';

interface ActiveTransaction {
  readonly dataSource: DataSource;
  readonly manager: EntityManager;
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
 * savepoint): everything commits together when the outermost work resolves and rolls back when it
 * throws. Repositories find the transaction through `currentManager(dataSource)`.
 */
@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (transactionManager(this.dataSource)) return work();
    return this.dataSource.transaction((manager) => storage.run({ dataSource: this.dataSource, manager }, work));
  }
}
