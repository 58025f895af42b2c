import { DataSource } from 'typeorm';
import { createHash } from 'node:crypto';
import { createTestDatabase, openTestDataSource } from '../../support/test-database';
import {
  AuthenticateApiKey,
  BootstrapOrganization,
  BootstrapResult,
  EnvironmentsQuery,
  OrganizationsQuery,
  RevokeApiKey,
  SessionTokens,
} from '@app/tenancy';
// Internal wiring: these tests build the library's classes with `new` over a real DataSource.
import { ApiKeyCache } from '../../../libs/tenancy/src/application/api-key-cache/api-key-cache';
import { Clock } from '../../../libs/tenancy/src/application/ports/clock';
import { TypeOrmApiKeyRepository } from '../../../libs/tenancy/src/infrastructure/typeorm/typeorm-api-key.repository';
import { TypeOrmEnvironmentRepository } from '../../../libs/tenancy/src/infrastructure/typeorm/typeorm-environment.repository';
import { TypeOrmOrganizationRepository } from '../../../libs/tenancy/src/infrastructure/typeorm/typeorm-organization.repository';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

class SystemClock extends Clock {
  override now(): Date {
    return new Date();
  }
}

describe('tenancy against PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let tokens: SessionTokens;
  let organizations: TypeOrmOrganizationRepository;
  let environmentRepository: TypeOrmEnvironmentRepository;
  let bootstrap: BootstrapOrganization;
  let environmentsQuery: EnvironmentsQuery;

  /** A fresh AuthenticateApiKey/RevokeApiKey pair sharing one cache: one "process". */
  function newProcess(ttlMs = 30_000) {
    const clock = new SystemClock();
    const apiKeys = new TypeOrmApiKeyRepository(dataSource);
    const cache = new ApiKeyCache({ ttlMs, maxEntries: 10_000 }, clock);
    return { authenticate: new AuthenticateApiKey(apiKeys, cache), revoke: new RevokeApiKey(apiKeys, cache, clock) };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openTestDataSource(database.url);
    tokens = new SessionTokens({ secret: 'integration-test-secret', ttlSeconds: 3600 }, new SystemClock());
    organizations = new TypeOrmOrganizationRepository(dataSource);
    environmentRepository = new TypeOrmEnvironmentRepository(dataSource);
    bootstrap = new BootstrapOrganization(organizations, tokens);
    environmentsQuery = new EnvironmentsQuery(environmentRepository);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  describe('BootstrapOrganization', () => {
    let result: BootstrapResult;

    beforeAll(async () => {
      result = await bootstrap.execute({ organizationName: 'Acme' });
    });

    it('creates the organization with Development and Production, one key each, and one user', async () => {
      expect(result.environments.map((e) => e.name)).toEqual(['Development', 'Production']);
      const [organization] = await dataSource.query(`SELECT name FROM organizations WHERE id = $1`, [result.organizationId]);
      expect(organization).toEqual({ name: 'Acme' });

      const environments = await dataSource.query(
        `SELECT e.id, e.name, count(k.id)::int AS keys
           FROM environments e LEFT JOIN api_keys k ON k.environment_id = e.id
          WHERE e.organization_id = $1 GROUP BY e.id, e.name ORDER BY e.name`,
        [result.organizationId],
      );
      expect(environments).toEqual([
        { id: result.environments[0].id, name: 'Development', keys: 1 },
        { id: result.environments[1].id, name: 'Production', keys: 1 },
      ]);
      const users = await dataSource.query(`SELECT id FROM users WHERE organization_id = $1`, [result.organizationId]);
      expect(users).toHaveLength(1);
    });

    it('stores only the sha256 of each secret, and the secret in no column of any table', async () => {
      for (const environment of result.environments) {
        expect(environment.apiKey).toMatch(/^[0-9a-f]{64}$/);
        const rows = await dataSource.query(`SELECT key_hash FROM api_keys WHERE environment_id = $1`, [environment.id]);
        expect(rows).toEqual([{ key_hash: sha256(environment.apiKey) }]);
        expect(rows[0].key_hash).not.toBe(environment.apiKey);
      }

      const tables: { table_name: string }[] = await dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['organizations', 'environments', 'api_keys', 'users']));
      for (const { table_name } of tables) {
        const dump: { row: string }[] = await dataSource.query(`SELECT t::text AS row FROM "${table_name}" t`);
        for (const environment of result.environments) {
          expect(dump.filter((d) => d.row.includes(environment.apiKey))).toEqual([]);
        }
      }
    });

    it('signs a session token for the new user with Development as default environment', async () => {
      const claims = await tokens.verify(result.sessionToken);
      const [user] = await dataSource.query(`SELECT id FROM users WHERE organization_id = $1`, [result.organizationId]);

      expect(claims).toMatchObject({ userId: user.id, organizationId: result.organizationId, environmentId: result.environments[0].id });
    });

    it('is counted by OrganizationsQuery', async () => {
      const query = new OrganizationsQuery(organizations);
      const before = await query.count();
      await bootstrap.execute({});
      expect(await query.count()).toBe(before + 1);
    });

    it('writes nothing when any insert of the transaction fails', async () => {
      const before = await dataSource.query(
        `SELECT (SELECT count(*) FROM organizations)::int AS o, (SELECT count(*) FROM environments)::int AS e, (SELECT count(*) FROM api_keys)::int AS k`,
      );
      const hash = sha256('duplicate-environment-name');

      await expect(
        organizations.provision({
          organizationName: 'Broken',
          environments: [
            { name: 'Development', apiKeyHash: hash },
            { name: 'Development', apiKeyHash: sha256('other') },
          ],
          user: {},
        }),
      ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23505' }) });

      const after = await dataSource.query(
        `SELECT (SELECT count(*) FROM organizations)::int AS o, (SELECT count(*) FROM environments)::int AS e, (SELECT count(*) FROM api_keys)::int AS k`,
      );
      expect(after).toEqual(before);
    });
  });

  describe('AuthenticateApiKey and RevokeApiKey', () => {
    let result: BootstrapResult;

    beforeAll(async () => {
      result = await bootstrap.execute({});
    });

    it('maps each key to its own environment and organization', async () => {
      const { authenticate } = newProcess();
      for (const environment of result.environments) {
        const principal = await authenticate.execute(environment.apiKey);
        expect(principal).toEqual({ apiKeyId: expect.any(String), organizationId: result.organizationId, environmentId: environment.id });
      }
    });

    it('returns undefined for an unknown key, its hash, and junk', async () => {
      const { authenticate } = newProcess();
      expect(await authenticate.execute('0'.repeat(64))).toBeUndefined();
      expect(await authenticate.execute(sha256(result.environments[0].apiKey))).toBeUndefined();
      expect(await authenticate.execute("' OR 1=1 --")).toBeUndefined();
      expect(await authenticate.execute('')).toBeUndefined();
    });

    it('refuses a key once revoked, in this process at once and in any process without a cached entry', async () => {
      const { authenticate, revoke } = newProcess();
      const secret = result.environments[1].apiKey;
      const principal = (await authenticate.execute(secret))!; // now cached

      await revoke.execute(principal.apiKeyId);

      expect(await authenticate.execute(secret)).toBeUndefined();
      expect(await newProcess().authenticate.execute(secret)).toBeUndefined();
      const [row] = await dataSource.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [principal.apiKeyId]);
      expect(row.revoked_at).toBeInstanceOf(Date);
      // The other environment's key is untouched.
      expect(await authenticate.execute(result.environments[0].apiKey)).toMatchObject({ environmentId: result.environments[0].id });
    });

    it('keeps the first revocation time and reports unknown ids', async () => {
      const { authenticate, revoke } = newProcess();
      const { apiKeyId } = (await authenticate.execute(result.environments[0].apiKey))!;
      await revoke.execute(apiKeyId);
      const [first] = await dataSource.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [apiKeyId]);

      await expect(revoke.execute(apiKeyId)).resolves.toBeUndefined();
      const [second] = await dataSource.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [apiKeyId]);
      expect(second.revoked_at).toEqual(first.revoked_at);
      await expect(revoke.execute('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'API_KEY_NOT_FOUND' });
      await expect(revoke.execute('nope')).rejects.toMatchObject({ code: 'API_KEY_NOT_FOUND' });
    });
  });

  describe('EnvironmentsQuery', () => {
    let mine: BootstrapResult;
    let theirs: BootstrapResult;

    beforeAll(async () => {
      mine = await bootstrap.execute({ organizationName: 'Mine' });
      theirs = await bootstrap.execute({ organizationName: 'Theirs' });
    });

    it('finds an environment of the organization', async () => {
      const development = mine.environments[0];
      expect(await environmentsQuery.findInOrganization(mine.organizationId, development.id)).toEqual({
        id: development.id,
        name: 'Development',
        organizationId: mine.organizationId,
      });
    });

    it("refuses another organization's environment", async () => {
      expect(await environmentsQuery.findInOrganization(mine.organizationId, theirs.environments[0].id)).toBeUndefined();
      expect(await environmentsQuery.findInOrganization(theirs.organizationId, mine.environments[1].id)).toBeUndefined();
    });

    it('returns undefined for ids that are not UUIDs, without querying', async () => {
      const spy = jest.spyOn(environmentRepository, 'findInOrganization');
      try {
        for (const id of ['', 'abc', '123', `${mine.environments[0].id}x`, "'; DROP TABLE environments; --", '507f1f77bcf86cd799439011']) {
          expect(await environmentsQuery.findInOrganization(mine.organizationId, id)).toBeUndefined();
        }
        expect(await environmentsQuery.findInOrganization('not-a-uuid', mine.environments[0].id)).toBeUndefined();
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    });

    it('lists the environments of one organization only, Development first', async () => {
      const list = await environmentsQuery.listForOrganization(mine.organizationId);
      expect(list).toEqual([
        { id: mine.environments[0].id, name: 'Development', organizationId: mine.organizationId },
        { id: mine.environments[1].id, name: 'Production', organizationId: mine.organizationId },
      ]);
      expect(await environmentsQuery.listForOrganization('not-a-uuid')).toEqual([]);
    });
  });
});
