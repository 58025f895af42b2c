import { DataSource } from 'typeorm';
import { AuthenticateApiKey, BootstrapOrganization, RevokeApiKey, SessionTokens } from '@app/tenancy';
import { createTestDatabase, openTestDataSource, TestDatabase } from '../../support/test-database';
// Internal wiring: the feed, the cache and the repositories built with `new` over a real DataSource.
import { ApiKeyCache } from '../../../libs/tenancy/src/application/api-key-cache/api-key-cache';
import { ApiKeyRevocations } from '../../../libs/tenancy/src/application/api-key-revocations/api-key-revocations';
import { Clock } from '../../../libs/tenancy/src/application/ports/clock';
import { PgApiKeyRevocationFeed } from '../../../libs/tenancy/src/infrastructure/postgres/pg-api-key-revocation-feed';
import { TypeOrmApiKeyRepository } from '../../../libs/tenancy/src/infrastructure/typeorm/typeorm-api-key.repository';
import { TypeOrmOrganizationRepository } from '../../../libs/tenancy/src/infrastructure/typeorm/typeorm-organization.repository';

class SystemClock extends Clock {
  override now(): Date {
    return new Date();
  }
}

const LISTENER = 'integrations-service revocation listener';

async function eventually(ask: () => boolean | Promise<boolean>, attempts = 200): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await ask()) return true;
    await new Promise((done) => setTimeout(done, 25)); // polling interval, not a synchronisation
  }
  return false;
}

describe('PgApiKeyRevocationFeed (LISTEN api_key_revoked) against PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let bootstrap: BootstrapOrganization;

  /** Through the test PgBouncer (TEST_PGBOUNCER=1) LISTEN needs the direct URL; otherwise the DataSource's settings (the default). */
  const listenOptions = () => (database.pooled ? { listenConnectionUrl: database.directUrl } : undefined);

  /** One "process": its own cache, kept in step by its own feed. */
  async function newProcess() {
    const clock = new SystemClock();
    const apiKeys = new TypeOrmApiKeyRepository(dataSource);
    const cache = new ApiKeyCache({ ttlMs: 3_600_000, maxEntries: 100 }, clock);
    const revocations = new ApiKeyRevocations(new PgApiKeyRevocationFeed(dataSource, listenOptions()), cache);
    await revocations.onApplicationBootstrap();
    return { cache, authenticate: new AuthenticateApiKey(apiKeys, cache), revoke: new RevokeApiKey(apiKeys, cache, clock), revocations };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openTestDataSource(database.url);
    bootstrap = new BootstrapOrganization(
      new TypeOrmOrganizationRepository(dataSource),
      new SessionTokens({ secret: 's'.repeat(40), ttlSeconds: 60 }),
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('a revocation by one process empties the other process’s cache entry', async () => {
    const [a, b] = [await newProcess(), await newProcess()];
    try {
      const { environments } = await bootstrap.execute();
      const principal = (await b.authenticate.execute(environments[0].apiKey))!;
      expect(b.cache.size).toBe(1);
      await a.revoke.execute(principal.apiKeyId);
      expect(await eventually(() => b.cache.size === 0)).toBe(true);
      expect(await b.authenticate.execute(environments[0].apiKey)).toBeUndefined();
    } finally {
      await Promise.all([a.revocations.onApplicationShutdown(), b.revocations.onApplicationShutdown()]);
    }
  });

  it('reconnects after its connection is killed, clears the cache, and hears later revocations', async () => {
    const [a, b] = [await newProcess(), await newProcess()];
    try {
      const { environments } = await bootstrap.execute();
      const first = (await b.authenticate.execute(environments[0].apiKey))!;
      await b.authenticate.execute(environments[1].apiKey);
      expect(b.cache.size).toBe(2);
      const [{ killed }] = await dataSource.query(
        `SELECT count(pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
        [LISTENER],
      );
      expect(killed).toBe(2);
      // back: listening again (two sessions), and the cache was cleared on reconnect
      expect(
        await eventually(async () => {
          const [{ listening }] = await dataSource.query(
            `SELECT count(*)::int AS listening FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
            [LISTENER],
          );
          return listening === 2 && b.cache.size === 0;
        }),
      ).toBe(true);

      await b.authenticate.execute(environments[0].apiKey);
      expect(b.cache.size).toBe(1);
      await a.revoke.execute(first.apiKeyId);
      expect(await eventually(() => b.cache.size === 0)).toBe(true);
    } finally {
      await Promise.all([a.revocations.onApplicationShutdown(), b.revocations.onApplicationShutdown()]);
    }
  });

  it('stop closes its connection and does not come back', async () => {
    const process = await newProcess();
    await process.revocations.onApplicationShutdown();
    const [{ listening }] = await dataSource.query(
      `SELECT count(*)::int AS listening FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
      [LISTENER],
    );
    expect(listening).toBe(0);
  });
});
