/**
 * The database transaction a `UnitOfWork.run` opened, for a host that writes its own tables in it
 * (e.g. the API's idempotency records, stored atomically with the use cases' writes).
 */
export interface TransactionHandle {
  /**
   * Runs one SQL statement in the transaction, with positional parameters (`$1`, `$2`, …), and
   * returns the rows it produced (none for statements without a result or `RETURNING`).
   */
  query<Row = Record<string, unknown>>(sql: string, parameters?: readonly unknown[]): Promise<Row[]>;
}

/**
 * The owner's side of a deferred transaction (`UnitOfWork.runDeferred`): the transaction the first
 * `run` of the scope began, kept open after that work until the owner commits it.
 */
export interface DeferredTransaction {
  /**
   * The scope's transaction: the one a `run` began, else begun now (its `onBegin` runs first).
   * Rejects as `onBegin` did when the beginning failed, and once the scope's transaction has ended.
   */
  open(): Promise<TransactionHandle>;

  /**
   * Commits the begun transaction and ends it: later `run` calls of the scope reject. `last`, when
   * given, makes the transaction's last statements, sent with the COMMIT (one round trip): it must
   * send them before its first `await`. When one of them fails the transaction rolls back instead
   * and `commit` rejects with that error.
   */
  commit(last?: (transaction: TransactionHandle) => Promise<void>): Promise<void>;
}

export interface DeferredOptions {
  /**
   * The `run` that begins the transaction sends its work right behind BEGIN and `onBegin`'s
   * statements, without waiting for their answers (one round trip for both). `onBegin` must then
   * send its statements before its first `await`. When `onBegin` fails, that work has run in the
   * transaction, which rolls back once the work settles, and the run rejects with `onBegin`'s error.
   * Off by default: the work starts once `onBegin` succeeded.
   */
  readonly overlapBegin?: boolean;
}

/**
 * Runs work in one database transaction. Repository calls made while `work` runs (including in
 * nested `run` calls, which join the outer transaction and receive its handle) commit or roll back
 * together. Work that only calls repositories ignores the handle: `run(async () => …)`.
 */
export abstract class UnitOfWork {
  abstract run<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T>;

  /**
   * Runs work that makes one database statement (atomic by itself): inside `run` or a deferred
   * scope it joins that transaction exactly as `run` does (beginning the scope's transaction);
   * anywhere else it runs in auto-commit, without BEGIN and COMMIT around it.
   */
  runStatement<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
    return this.run(work);
  }

  /**
   * Runs `body` in a scope whose transaction is begun only when first needed, so that work done
   * before any write (validation, slow outbound checks) holds no database connection:
   * - the first `run` inside the scope (or the owner's `open()`) begins the transaction, runs
   *   `onBegin` in it (which must use the handle it gets, not `run`), then the run's work. When
   *   `onBegin` throws, the transaction rolls back and ends, and that `run` (every later one, and
   *   `open()`) rejects with its error unchanged;
   * - that work, and every later `run` of the scope, join the transaction, which does NOT commit
   *   when they resolve (nor roll back when they throw): the owner commits it with
   *   `deferred.commit()`;
   * - a transaction `body` leaves uncommitted (it threw, or returned without committing) rolls
   *   back. The connection is released on every path.
   * Cannot be called inside `run` or another deferred scope.
   */
  abstract runDeferred<T>(
    onBegin: (transaction: TransactionHandle) => Promise<void>,
    body: (deferred: DeferredTransaction) => Promise<T>,
    options?: DeferredOptions,
  ): Promise<T>;
}
