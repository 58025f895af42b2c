import { Client, ClientConfig } from 'pg';

/** The client's settings: node-postgres's, plus the statement timeout applied to every transaction. */
export interface QueryTimeoutClientConfig extends ClientConfig {
  /**
   * `SET LOCAL statement_timeout` (ms) sent with every `START TRANSACTION`/`BEGIN`, in the same
   * round trip. Unset: transactions keep the session's (or role's) `statement_timeout`.
   */
  readonly transactionStatementTimeoutMs?: number;
}

/** `START TRANSACTION` or `BEGIN`, with or without modes, alone (no second statement, no parameters). */
const TRANSACTION_START = /^\s*(?:START\s+TRANSACTION|BEGIN)\b[^;'"$]*$/i;

/** node-postgres's error message when `query_timeout` expires (it has no error code to match). */
export const QUERY_READ_TIMEOUT_MESSAGE = 'Query read timeout';

/**
 * A node-postgres client that closes its connection when a query's client-side `query_timeout`
 * expires.
 *
 * `statement_timeout` is enforced by the server: a frozen or partitioned server never enforces it,
 * so the API also sets `query_timeout`. When that expires, node-postgres fails the caller's query
 * but keeps the connection as it is: the query already written stays its active query, everything
 * sent later (TypeORM's ROLLBACK, the next request's queries once the connection is back in the
 * pool) queues behind it and waits for an answer that may never come. Destroying the socket instead
 * fails everything queued on it at once ("Connection terminated unexpectedly"), marks the client
 * not queryable, and pg-pool drops it instead of handing it out again: the pool opens a fresh
 * connection (bounded by its connect timeout) for the next request.
 *
 * With `transactionStatementTimeoutMs`, it also bounds every statement of a transaction without a
 * round trip of its own and without session state (which a transaction pooler such as PgBouncer
 * would leave on whichever server connection ran it): `START TRANSACTION` is sent as
 * `START TRANSACTION; SET LOCAL statement_timeout = <ms>` in one simple query, and the caller gets
 * the result of `START TRANSACTION` alone. `SET LOCAL` ends with the transaction.
 */
export class QueryTimeoutClient extends Client {
  private abandoned = false;

  constructor(config?: string | QueryTimeoutClientConfig) {
    super(config);
    const timeoutMs = typeof config === 'object' ? config.transactionStatementTimeoutMs : undefined;
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs >= 0)) {
      throw new TypeError(`transactionStatementTimeoutMs must be a whole number of milliseconds (got ${String(timeoutMs)})`);
    }
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    const onFailure = (error: unknown) => {
      if (isQueryReadTimeout(error)) this.abandon();
    };
    // An own property over the prototype's method: its overloads cannot be re-declared type-safely.
    this.query = ((...args: unknown[]) => {
      let firstOnly = false;
      if (timeoutMs !== undefined && typeof args[0] === 'string' && TRANSACTION_START.test(args[0]) && !Array.isArray(args[1])) {
        args[0] = `${args[0]}; SET LOCAL statement_timeout = ${timeoutMs}`;
        firstOnly = true;
      }
      const callback = args[args.length - 1];
      if (typeof callback === 'function') {
        args[args.length - 1] = (error: unknown, result: unknown) => {
          onFailure(error);
          (callback as (error: unknown, result: unknown) => void)(error, firstOnly ? firstResult(result) : result);
        };
        return query(...args);
      }
      const result = query(...args);
      // Registered before the caller's own handlers, so the socket is gone before they run.
      if (isThenable(result)) {
        result.then(undefined, onFailure);
        if (firstOnly) return Promise.resolve(result).then(firstResult);
      }
      return result;
    }) as Client['query'];
  }

  private abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    // The 'error' this causes is expected: keep it from being unhandled when no one else listens
    // (a client checked out of the pool has no pool listener).
    this.on('error', () => undefined);
    this.connection.stream.destroy();
  }
}

/** A multi-statement simple query resolves to one result per statement. */
function firstResult(result: unknown): unknown {
  return Array.isArray(result) ? result[0] : result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

export function isQueryReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === QUERY_READ_TIMEOUT_MESSAGE;
}
