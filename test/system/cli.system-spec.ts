import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ApiClient } from '../support/api-client';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { sendgridPayload } from '../factories/integration-payloads';
import { runCli } from './support/run-cli';
import { ServiceProcess, SharedSecrets, sharedSecrets, startService } from './support/service-process';

jest.setTimeout(120_000);

describe('the CLI (compiled, in its own process)', () => {
  let database: TestDatabase;
  let secrets: SharedSecrets;
  let env: Record<string, string>;
  let service: ServiceProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    secrets = sharedSecrets();
    env = { DATABASE_URL: database.url, ...secrets };
    // API_KEY_CACHE_TTL_MS=0: the service checks the database on every request, so a revocation shows at once.
    service = await startService({ name: 'cli-target', databaseUrl: database.url, secrets, env: { API_KEY_CACHE_TTL_MS: '0' } });
  });

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('bootstrap --json prints exactly one JSON object whose keys and token work against the service', async () => {
    const result = await runCli(['bootstrap', '--json', '--name', 'CLI Org'], env);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const org = JSON.parse(result.stdout);
    expect(org).toEqual({
      organizationId: expect.any(String),
      environments: [
        { name: 'Development', id: expect.any(String), apiKey: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { name: 'Production', id: expect.any(String), apiKey: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ],
      sessionToken: expect.any(String),
    });

    const dev = ApiClient.apiKey(service.baseUrl, org.environments[0].apiKey);
    const created = await dev.post('/v1/integrations', sendgridPayload());
    expect(created.status).toBe(201);
    expect(created.body.data._environmentId).toBe(org.environments[0].id);
    const session = ApiClient.session(service.baseUrl, org.sessionToken);
    expect((await session.get('/v1/integrations')).body.data).toHaveLength(1);
  });

  it('revoke-key reads the key from standard input and the key stops working', async () => {
    const org = JSON.parse((await runCli(['bootstrap', '--json'], env)).stdout);
    const key: string = org.environments[1].apiKey;
    const client = ApiClient.apiKey(service.baseUrl, key);
    expect((await client.get('/v1/integrations')).status).toBe(200);

    const revoked = await runCli(['revoke-key', '--json'], env, `${key}\n`);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ revoked: true, environmentId: org.environments[1].id });
    expect(revoked.stdout + revoked.stderr).not.toContain(key);

    const after = await client.get('/v1/integrations');
    expect(after.status).toBe(401);
    expect(after.body.message).toBe('API Key not found');
    const again = await runCli(['revoke-key'], env, key);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('API key not found');
  });

  it('reencrypt moves stored secrets to a new first key and reports what it did', async () => {
    const org = JSON.parse((await runCli(['bootstrap', '--json'], env)).stdout);
    const client = ApiClient.apiKey(service.baseUrl, org.environments[0].apiKey);
    expect((await client.post('/v1/integrations', sendgridPayload())).status).toBe(201);
    const newKey = `sys-2:${randomBytes(32).toString('base64')}`;
    const rotated = { ...env, ENCRYPTION_KEYS: `${newKey},${secrets.ENCRYPTION_KEYS}` };
    const result = await runCli(['reencrypt', '--json', '--batch-size', '1'], rotated);
    expect(result.code).toBe(0);
    const { reencrypted, remaining } = JSON.parse(result.stdout);
    expect(remaining).toBe(0);
    expect(reencrypted).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/re-encrypted \d+ integration\(s\), 0 left/);

    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const { rows } = await db.query("SELECT DISTINCT credentials ->> 'kid' AS kid FROM integrations");
      expect(rows).toEqual([{ kid: 'sys-2' }]);
    } finally {
      await db.end();
    }
  });

  it('explains its usage: --help exits 0, mistakes exit 2 with the help', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('bootstrap');
    expect(help.stdout).toContain('revoke-key');
    const unknown = await runCli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const noKey = await runCli(['revoke-key'], env, '');
    expect(noKey.code).toBe(2);
  });

  it('stops with a clear message on bad configuration', async () => {
    const result = await runCli(['bootstrap', '--json'], { ...env, ENCRYPTION_KEYS: 'k1:not-base64!' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('ENCRYPTION_KEYS');
    expect(result.stderr).not.toContain('not-base64!');
  });
});
