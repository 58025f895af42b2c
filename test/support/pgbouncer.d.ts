/** Typings of test/support/pgbouncer.js (plain CommonJS, so that bench/ can require it too). */

export interface PgBouncerOptions {
  /** postgres://user[:password]@host:port/database of the server PgBouncer forwards to (every database name). */
  readonly upstreamUrl: string;
  /** Path of the pgbouncer binary; default $PGBOUNCER_BIN, /usr/sbin/pgbouncer, then `pgbouncer` on PATH. */
  readonly binary?: string;
  /** Port to listen on (127.0.0.1); default a free one. */
  readonly port?: number;
  /** default_pool_size: server connections per database/user pair. Default 20. */
  readonly poolSize?: number;
  /** max_client_conn. Default 1000. */
  readonly maxClientConn?: number;
  /** Further [pgbouncer] settings, e.g. `{ ignore_startup_parameters: 'extra_float_digits' }`. */
  readonly settings?: Readonly<Record<string, string | number>>;
  /** Parent of the folder holding the ini, auth and log files; default the OS temp folder. */
  readonly dir?: string;
  /** Keep that folder after stop() (to read the log). */
  readonly keepFiles?: boolean;
}

export interface PgBouncer {
  /** The port PgBouncer listens on (127.0.0.1). */
  readonly port: number;
  readonly pid: number | undefined;
  /** The folder of its ini, auth_file and log. */
  readonly folder: string;
  /** postgres://<upstream user>@127.0.0.1:<port>/<database>, pooled; default the upstream URL's database. */
  url(database?: string): string;
  /** The admin console (`SHOW POOLS`, `SHOW CLIENTS`, …). */
  adminUrl(): string;
  /** PgBouncer's log so far. */
  log(): string;
  /** Settles when the PgBouncer process exits. */
  readonly exited: Promise<void>;
  /** Stops PgBouncer (idempotent) and deletes its folder. */
  stop(): Promise<void>;
}

export declare class PgBouncerError extends Error {}

/** Starts PgBouncer (pool_mode = transaction) and resolves once it accepts connections. */
export function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer>;

/** The pgbouncer binary's path; throws a PgBouncerError naming the install command when it is missing. */
export function findPgBouncer(binary?: string): string;

/**
 * Undefined when PgBouncer is installed; otherwise why the tests that need it are skipped
 * (throws instead under REQUIRE_PGBOUNCER=1, as in .ci/run).
 */
export function pgBouncerMissing(binary?: string): string | undefined;
