import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from '../support/api-client';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { parseOneJsonObject, runCli } from './support/run-cli';
import { REPO, ServiceProcess, sharedSecrets, startService } from './support/service-process';

jest.setTimeout(120_000);

const PACKAGE_VERSION: string = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
const HOUR_MS = String(3_600_000);

/** Asks `ask` until it returns true, at most `attempts` times (each waits for the previous answer). */
async function eventually(ask: () => Promise<boolean>, attempts = 200): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await ask()) return true;
    await new Promise((done) => setTimeout(done, 25)); // polling interval, not a synchronisation
  }
  return false;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * The key and token lifecycle through the compiled CLI, against two service processes that share
 * one database and cache API keys for an hour (API_KEY_CACHE_TTL_MS): only the revocation
 * announcement (LISTEN/NOTIFY) can make them refuse a key they cached.
 */
describe('key and token lifecycle (CLI, two service processes)', () => {
  let database: TestDatabase;
  const previousSecret = randomBytes(48).toString('base64url');
  const secrets = sharedSecrets();
  let env: Record<string, string>;
  let services: ServiceProcess[];
  let org: { organizationId: string; environments: { name: string; id: string; apiKey: string }[]; sessionToken: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url, ...secrets };
    // The services are mid-rotation: JWT_SECRET signs, JWT_SECRET_PREVIOUS still verifies.
    const serviceEnv = { API_KEY_CACHE_TTL_MS: HOUR_MS, JWT_SECRET_PREVIOUS: previousSecret };
    services = await Promise.all(
      ['keys-a', 'keys-b'].map((name) => startService({ name, databaseUrl: database.url, secrets, env: serviceEnv })),
    );
    org = parseOneJsonObject(await runCli(['bootstrap', '--json'], env));
  });

  afterAll(async () => {
    await Promise.all((services ?? []).map((service) => service.stop()));
    await database?.drop();
  });

  it('keys create prints a new secret once; it works on both instances; the other keys keep working', async () => {
    const [development] = org.environments;
    const created = parseOneJsonObject(await runCli(['keys', 'create', '--environment', development.id, '--json'], env));
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      environmentId: development.id,
      organizationId: org.organizationId,
      createdAt: expect.any(String),
      apiKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    for (const service of services) {
      const response = await ApiClient.apiKey(service.baseUrl, created.apiKey).get('/v1/integrations');
      expect(response.status).toBe(200);
      expect((await ApiClient.apiKey(service.baseUrl, development.apiKey).get('/v1/integrations')).status).toBe(200);
    }

    const text = await runCli(['keys', 'create', '--environment', development.id], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^API key [0-9a-f-]{36} of environment /);
    expect(text.stdout).toMatch(/\n {2}[0-9a-f]{64}\n/);
  });

  it('keys list shows ids, environments, creation and last use, never a secret', async () => {
    const [development, production] = org.environments;
    const used = parseOneJsonObject(await runCli(['keys', 'create', '--environment', production.id, '--json'], env));
    const unused = parseOneJsonObject(await runCli(['keys', 'create', '--environment', production.id, '--json'], env));
    expect((await ApiClient.apiKey(services[1].baseUrl, used.apiKey).get('/v1/integrations')).status).toBe(200);

    // last_used_at is written after the request has been answered: ask until it shows
    let listed: any;
    const shown = await eventually(async () => {
      listed = parseOneJsonObject(await runCli(['keys', 'list', '--organization', org.organizationId, '--json'], env));
      return listed.apiKeys.some((key: any) => key.id === used.id && key.lastUsedAt);
    }, 40);
    expect(shown).toBe(true);
    expect(listed.organizationId).toBe(org.organizationId);
    const byId = new Map(listed.apiKeys.map((key: any) => [key.id, key]));
    expect(byId.get(used.id)).toEqual({
      id: used.id,
      environmentId: production.id,
      environmentName: 'Production',
      createdAt: used.createdAt,
      lastUsedAt: expect.any(String),
    });
    expect(Date.parse((byId.get(used.id) as any).lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(used.createdAt));
    expect(byId.get(unused.id)).toEqual({
      id: unused.id,
      environmentId: production.id,
      environmentName: 'Production',
      createdAt: unused.createdAt,
    });
    expect(listed.apiKeys.filter((key: any) => key.environmentId === development.id).length).toBeGreaterThanOrEqual(1);

    const text = await runCli(['keys', 'list', '--organization', org.organizationId], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ID\s+ENVIRONMENT\s+CREATED\s+LAST USED\s+STATUS\n/);
    expect(text.stdout).toContain(`${unused.id}  Production (${production.id})`);
    for (const secret of [used.apiKey, unused.apiKey, ...org.environments.map((environment) => environment.apiKey)]) {
      expect(JSON.stringify(listed) + text.stdout + text.stderr).not.toContain(secret);
    }
  });

  it('keys revoke --id: both instances, which cached the key for an hour, refuse it within moments', async () => {
    const [development] = org.environments;
    const created = parseOneJsonObject(await runCli(['keys', 'create', '--environment', development.id, '--json'], env));
    const clients = services.map((service) => ApiClient.apiKey(service.baseUrl, created.apiKey));
    for (const client of clients) expect((await client.get('/v1/integrations')).status).toBe(200); // now cached

    const revoked = parseOneJsonObject(await runCli(['keys', 'revoke', '--id', created.id, '--json'], env));
    expect(revoked).toEqual({ revoked: true, apiKeyId: created.id });

    for (const client of clients) {
      expect(await eventually(async () => (await client.get('/v1/integrations')).status === 401)).toBe(true);
      expect((await client.get('/v1/integrations')).body.message).toBe('API Key not found');
    }
    const listed = parseOneJsonObject(await runCli(['keys', 'list', '--organization', org.organizationId, '--json'], env));
    expect(listed.apiKeys.find((key: any) => key.id === created.id).revokedAt).toEqual(expect.any(String));
    // the bootstrap key of the same environment is untouched
    for (const service of services) {
      expect((await ApiClient.apiKey(service.baseUrl, development.apiKey).get('/v1/integrations')).status).toBe(200);
    }
  });

  it('revoke-key (key on standard input) reaches the other instance too', async () => {
    const [, production] = org.environments;
    const created = parseOneJsonObject(await runCli(['keys', 'create', '--environment', production.id, '--json'], env));
    const client = ApiClient.apiKey(services[0].baseUrl, created.apiKey);
    expect((await client.get('/v1/integrations')).status).toBe(200);
    expect((await runCli(['revoke-key', '--json'], env, created.apiKey)).code).toBe(0);
    expect(await eventually(async () => (await client.get('/v1/integrations')).status === 401)).toBe(true);
  });

  it('token mint signs a working token for the organization’s user, with the chosen environment', async () => {
    const [development, production] = org.environments;
    const minted = parseOneJsonObject(await runCli(['token', 'mint', '--organization', org.organizationId, '--json'], env));
    const bootstrapClaims = claimsOf(org.sessionToken);
    expect(minted).toEqual({
      sessionToken: expect.any(String),
      userId: bootstrapClaims.sub,
      organizationId: org.organizationId,
      environmentId: development.id,
      expiresAt: expect.any(Number),
    });
    expect(claimsOf(minted.sessionToken)).toMatchObject({ sub: bootstrapClaims.sub, org: org.organizationId, env: development.id });
    const created = await ApiClient.session(services[0].baseUrl, minted.sessionToken).get('/v1/integrations');
    expect(created.status).toBe(200);

    const args = ['token', 'mint', '--organization', org.organizationId, '--environment', production.id];
    const forProduction = parseOneJsonObject(await runCli([...args, '--user', String(bootstrapClaims.sub), '--json'], env));
    expect(claimsOf(forProduction.sessionToken).env).toBe(production.id);
    expect((await ApiClient.session(services[1].baseUrl, forProduction.sessionToken).get('/v1/integrations')).status).toBe(200);

    const text = await runCli(args, env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Session token of user \S+ \(environment \S+, expires \S+\):\n {2}\S+\.\S+\.\S+\n$/);

    const other = parseOneJsonObject(await runCli(['bootstrap', '--json'], env));
    const wrongEnvironment = await runCli(
      ['token', 'mint', '--organization', org.organizationId, '--environment', other.environments[0].id],
      env,
    );
    expect([wrongEnvironment.code, wrongEnvironment.stdout]).toEqual([1, '']);
    expect(wrongEnvironment.stderr).toContain(`Environment with id ${other.environments[0].id} not found`);
    const otherUser = String(claimsOf(other.sessionToken).sub);
    const wrongUser = await runCli(['token', 'mint', '--organization', org.organizationId, '--user', otherUser], env);
    expect([wrongUser.code, wrongUser.stdout]).toEqual([1, '']);
    expect(wrongUser.stderr).toContain(`User with id ${otherUser} not found`);
  });

  it('secret rotation: tokens signed with JWT_SECRET_PREVIOUS still work, tokens of an unknown secret do not', async () => {
    const beforeRotation = parseOneJsonObject(
      await runCli(['token', 'mint', '--organization', org.organizationId, '--json'], { ...env, JWT_SECRET: previousSecret }),
    );
    const foreign = parseOneJsonObject(
      await runCli(['token', 'mint', '--organization', org.organizationId, '--json'], {
        ...env,
        JWT_SECRET: randomBytes(48).toString('base64url'),
      }),
    );
    for (const service of services) {
      expect((await ApiClient.session(service.baseUrl, beforeRotation.sessionToken).get('/v1/integrations')).status).toBe(200);
      expect((await ApiClient.session(service.baseUrl, foreign.sessionToken).get('/v1/integrations')).status).toBe(401);
    }
  });

  it('refuses unknown ids and incomplete commands plainly', async () => {
    const unknownOrg = await runCli(['keys', 'list', '--organization', '00000000-0000-4000-8000-000000000000'], env);
    expect([unknownOrg.code, unknownOrg.stdout]).toEqual([1, '']);
    expect(unknownOrg.stderr).toBe('Error: Organization with id 00000000-0000-4000-8000-000000000000 not found\n');
    const unknownEnvironment = await runCli(['keys', 'create', '--environment', 'nope'], env);
    expect([unknownEnvironment.code, unknownEnvironment.stderr]).toEqual([1, 'Error: Environment with id nope not found\n']);
    const unknownKey = await runCli(['keys', 'revoke', '--id', '00000000-0000-4000-8000-000000000000'], env);
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toContain('API key with id 00000000-0000-4000-8000-000000000000 not found');

    for (const args of [
      ['keys'],
      ['keys', 'list'],
      ['keys', 'rotate'],
      ['token', 'mint'],
      ['keys', 'revoke', '--organization', org.organizationId],
    ]) {
      const result = await runCli(args, env);
      expect([args, result.code, result.stdout]).toEqual([args, 2, '']);
    }
    const help = await runCli(['--help'], env);
    expect(help.stdout).toContain('keys list --organization <id>');
    expect(help.stdout).toContain('token mint --organization <id>');
  });

  it('both health probes and the OpenAPI document report the package version', async () => {
    const client = new ApiClient(services[0].baseUrl);
    expect((await client.get('/health/live')).body).toEqual({ status: 'ok', version: PACKAGE_VERSION });
    expect((await client.get('/health/ready')).body).toEqual({ status: 'ok', database: 'up', version: PACKAGE_VERSION });
    expect((await client.get('/api-json')).body.info.version).toBe(PACKAGE_VERSION);
  });
});
