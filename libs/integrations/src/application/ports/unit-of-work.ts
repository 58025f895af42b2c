/**
 * Runs work in one database transaction. Repository calls made while `work` runs (including in
 * nested `run` calls, which join the outer transaction) commit or roll back together.
 */
export abstract class UnitOfWork {
  abstract run<T>(work: () => Promise<T>): Promise<T>;
}
