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
 * Runs work in one database transaction. Repository calls made while `work` runs (including in
 * nested `run` calls, which join the outer transaction and receive its handle) commit or roll back
 * together. Work that only calls repositories ignores the handle: `run(async () => …)`.
 */
export abstract class UnitOfWork {
  abstract run<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T>;
}
