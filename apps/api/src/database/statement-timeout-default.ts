import { Client } from 'pg';

/** Advisory-lock key (transaction level) that serialises instances setting the default at once. */
export const STATEMENT_TIMEOUT_DEFAULT_LOCK = 'integrations:statement-timeout-default';

/** The SQLSTATE of "permission denied". */
const INSUFFICIENT_PRIVILEGE = '42501';

export type StatementTimeoutDefaultOutcome = 'unchanged' | 'set' | 'not-permitted' | 'failed';

export interface StatementTimeoutDefaultOptions {
  /** A connection to the service's database as the service's role (DATABASE_DIRECT_URL, else DATABASE_URL). */
  readonly url: string;
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly log: { warn(message: string): void; log(message: string): void };
}

/**
 * Makes `statement_timeout` the default of the service's role in its database (`ALTER ROLE
 * CURRENT_USER IN DATABASE … SET statement_timeout`), so that every new server session gets it,
 * statements outside a transaction included, with no round trip per request and no startup
 * parameter (which PgBouncer in transaction mode refuses). Transactions also get `SET LOCAL` from
 * {@link QueryTimeoutClient}; this covers autocommit statements.
 *
 * Called once at start-up, before the pool opens. Writes only when the stored default differs, in
 * one transaction under a transaction-level advisory lock, so several instances starting at once
 * neither race on the catalog row ("tuple concurrently updated") nor rewrite it needlessly.
 *
 * Never fatal: when the role may not change its own default (42501) or the database cannot be
 * reached, it logs what to do and the service goes on (transactions stay bounded by `SET LOCAL`, every
 * query by the client-side `query_timeout`).
 *
 * Server sessions opened before a change keep the value they started with: PgBouncer's server
 * connections until it recycles them (`server_lifetime`, default one hour).
 */
export async function ensureStatementTimeoutDefault(options: StatementTimeoutDefaultOptions): Promise<StatementTimeoutDefaultOutcome> {
  const wanted = `statement_timeout=${options.statementTimeoutMs}`;
  const client = new Client({ connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs });
  client.on('error', () => undefined); // a connection lost meanwhile fails the query below
  let role: string | undefined;
  let database: string | undefined;
  try {
    await client.connect();
    // One round trip: begin, bound this transaction, wait for another instance doing the same.
    await client.query(
      `BEGIN; SET LOCAL statement_timeout = ${Math.max(options.statementTimeoutMs, 10_000)}; ` +
        `SELECT pg_advisory_xact_lock(hashtextextended('${STATEMENT_TIMEOUT_DEFAULT_LOCK}', 0))`,
    );
    const { rows } = await client.query<{ role: string; database: string; settings: string[] | null }>(
      `SELECT current_user AS role, current_database() AS database,
              (SELECT s.setconfig FROM pg_db_role_setting s
                 WHERE s.setrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                   AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())) AS settings`,
    );
    ({ role, database } = rows[0]);
    const current = (rows[0].settings ?? []).find((setting) => setting.startsWith('statement_timeout='));
    if (current === wanted) {
      await client.query('COMMIT');
      return 'unchanged';
    }
    await client.query(
      `ALTER ROLE CURRENT_USER IN DATABASE ${client.escapeIdentifier(rows[0].database)} SET statement_timeout = ${options.statementTimeoutMs}`,
    );
    await client.query('COMMIT');
    options.log.log(
      `statement_timeout default of role ${quoted(role)} in database ${quoted(database)} set to ${options.statementTimeoutMs} ms` +
        (current ? ` (was ${current.slice('statement_timeout='.length)})` : '') +
        '; server sessions opened before keep their value until they are recycled',
    );
    return 'set';
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const code = (error as { code?: string }).code;
    const sql = `ALTER ROLE ${role === undefined ? '<role>' : quoted(role)} IN DATABASE ${database === undefined ? '<database>' : quoted(database)} SET statement_timeout = ${options.statementTimeoutMs}`;
    if (code === INSUFFICIENT_PRIVILEGE) {
      options.log.warn(
        `The role may not set its own default statement_timeout (${(error as Error).message}). Transactions are still bounded ` +
          `(SET LOCAL), but statements outside a transaction only by the client-side query timeout; have an administrator run: ${sql}`,
      );
      return 'not-permitted';
    }
    options.log.warn(
      `Could not check the default statement_timeout of the database role (${(error as Error).message}); transactions are ` +
        `still bounded (SET LOCAL). It is checked again at the next start; or run: ${sql}`,
    );
    return 'failed';
  } finally {
    await client.end().catch(() => undefined);
  }
}

function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
