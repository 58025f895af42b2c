import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ensureStatementTimeoutDefault, STATEMENT_TIMEOUT_DEFAULT_LOCK } from '../../../apps/api/src/database/statement-timeout-default';
import { createTestDatabase, TestDatabase } from '../../support/test-database';

/** Log lines, by level. */
function recorder() {
  const lines: { level: 'log' | 'warn'; message: string }[] = [];
  return {
    lines,
    log: {
      log: (message: string) => void lines.push({ level: 'log', message }),
      warn: (message: string) => void lines.push({ level: 'warn', message }),
    },
  };
}

async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Resolves once `count` sessions wait for an advisory lock in the current database (a database state, not a timer). */
async function untilWaiting(client: Client, count: number): Promise<void> {
  for (let poll = 0; poll < 400; poll++) {
    const { rows } = await client.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    if (rows[0].waiting >= count) return;
    await new Promise((done) => setTimeout(done, 25)); // polling interval, not a synchronisation
  }
  throw new Error(`fewer than ${count} sessions waited for the advisory lock`);
}

/** What a new session of `url`'s role in its database starts with. */
const sessionTimeout = (url: string) =>
  withClient(
    url,
    async (client) => (await client.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0].statement_timeout,
  );

/**
 * The start-up default of the role in its database (README "Behind PgBouncer"): what makes
 * statements outside a transaction bounded when no startup parameter may carry statement_timeout.
 */
describe('ensureStatementTimeoutDefault (ALTER ROLE CURRENT_USER IN DATABASE … SET statement_timeout)', () => {
  let database: TestDatabase;
  /** An ordinary role (no superuser, no CREATEROLE), as a managed database would give the service. */
  let role: string;
  let roleUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    role = `integrations_test_role_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await withClient(database.directUrl, async (admin) => {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEROLE`);
      await admin.query(`GRANT CONNECT ON DATABASE ${admin.escapeIdentifier(new URL(database.directUrl).pathname.slice(1))} TO ${role}`);
    });
    const url = new URL(database.directUrl);
    url.username = role;
    url.password = password;
    roleUrl = url.toString();
  });

  afterAll(async () => {
    await database?.drop(); // drops the role's per-database setting with it
    if (role)
      await withClient(database.directUrl.replace(/\/[^/]*$/, '/postgres'), (admin) => admin.query(`DROP ROLE IF EXISTS ${role}`)).catch(
        () => undefined,
      );
  });

  it('sets it once when instances start together; new sessions start with it; a later change rewrites it', async () => {
    const { log, lines } = recorder();
    const options = { url: roleUrl, statementTimeoutMs: 4_321, connectTimeoutMs: 2_000, log };
    // Start all three behind the lock they take, so that they really run at the same moment.
    const gate = new Client({ connectionString: database.directUrl });
    await gate.connect();
    let outcomes: string[];
    try {
      await gate.query('BEGIN');
      await gate.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [STATEMENT_TIMEOUT_DEFAULT_LOCK]);
      const running = Promise.all([1, 2, 3].map(() => ensureStatementTimeoutDefault(options)));
      await untilWaiting(gate, 3);
      await gate.query('COMMIT');
      outcomes = await running;
    } finally {
      await gate.end();
    }
    expect([...outcomes].sort()).toEqual(['set', 'unchanged', 'unchanged']);
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
    expect(lines.filter((line) => line.level === 'log')).toHaveLength(1);
    expect(await sessionTimeout(roleUrl)).toBe('4321ms');
    // Only this role in this database: the superuser's sessions are untouched.
    expect(await sessionTimeout(database.directUrl)).not.toBe('4321ms');

    await expect(ensureStatementTimeoutDefault({ ...options, statementTimeoutMs: 6_000 })).resolves.toBe('set');
    expect(lines.at(-1)?.message).toContain('was 4321');
    expect(await sessionTimeout(roleUrl)).toBe('6s');
    await expect(ensureStatementTimeoutDefault({ ...options, statementTimeoutMs: 6_000 })).resolves.toBe('unchanged');
  });

  it('an unreachable database is not fatal: a warning names the command to run', async () => {
    const { log, lines } = recorder();
    const unreachable = new URL(roleUrl);
    unreachable.port = '1'; // nothing listens there
    await expect(
      ensureStatementTimeoutDefault({ url: unreachable.toString(), statementTimeoutMs: 5_000, connectTimeoutMs: 500, log }),
    ).resolves.toBe('failed');
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe('warn');
    expect(lines[0].message).toContain('SET statement_timeout = 5000');
    expect(lines[0].message).not.toContain(new URL(roleUrl).password);
  });
});
