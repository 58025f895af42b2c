import { Client } from 'pg';
import { MIGRATIONS_LOCK } from '../../apps/api/src/database/serialised-migrations';
import { CapturedOutput } from '../support/captured-output';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

jest.setTimeout(60_000);

const STATEMENT_TIMEOUT_MS = 300;

/**
 * Review 13: migrations serialised at start-up wait for the instance migrating first under
 * `pg_advisory_xact_lock`, in a transaction begun by `START TRANSACTION`, which QueryTimeoutClient
 * turns into `START TRANSACTION; SET LOCAL statement_timeout = <DATABASE_STATEMENT_TIMEOUT_MS>`.
 * So an instance whose peer migrates for longer than the request statement timeout fails its start
 * (57014) instead of waiting, which is the very scenario the lock is for (instances starting
 * together on an empty or old database). ensureStatementTimeoutDefault bounds its own lock wait
 * by max(timeout, 10 s); the migrations do not. Here a direct session plays the peer, holding the
 * lock three times the statement timeout. (Today the start survives only because TypeOrmModule
 * retries a failed data source factory every 3 s, up to 9 times, logging "Unable to connect to the
 * database" with the 57014: a peer migrating for longer than that budget makes the start fail.)
 */
describe('review 13: serialised migrations vs the request statement timeout', () => {
  let database: TestDatabase;
  let peer: Client;
  let app: TestApp | undefined;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
    peer = new Client({ connectionString: database.directUrl });
    await peer.connect();
  });

  afterAll(async () => {
    await app?.close();
    await peer?.end();
    await database?.drop();
  });

  it('an instance starting while a peer migrates longer than DATABASE_STATEMENT_TIMEOUT_MS waits for it and starts', async () => {
    await peer.query('BEGIN');
    await peer.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [MIGRATIONS_LOCK]);
    const output = new CapturedOutput();
    output.start();
    const release = setTimeout(() => void peer.query('COMMIT'), STATEMENT_TIMEOUT_MS * 3);
    try {
      app = await startTestApp({
        databaseUrl: database.url,
        database: { poolSize: 4, connectTimeoutMs: 2_000, statementTimeoutMs: STATEMENT_TIMEOUT_MS },
      });
    } finally {
      clearTimeout(release);
      output.stop();
      await peer.query('COMMIT').catch(() => undefined);
    }
    // Waited for the peer: no cancelled lock wait, no data source retried.
    expect(output.since()).not.toMatch(/statement timeout|Unable to connect to the database/);
    const [{ n }] = await app.dataSource.query('SELECT count(*)::int AS n FROM migrations');
    expect(n).toBeGreaterThan(0);
  });
});
