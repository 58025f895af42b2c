import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { IdempotencyPurger } from '../../apps/api/src/idempotency/idempotency-purger';
import { canonicalJson } from '../../apps/api/src/idempotency/idempotency-request';
import { ApiClient, expectErrorShape } from '../support/api-client';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { sendgridCredentials, sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';
const HKDF_INFO = 'integrations-service idempotency fingerprint v1';

interface Key {
  readonly id: string;
  readonly key: string;
}
const newSecret = (id: string): Key => ({ id, key: randomBytes(32).toString('base64') });

/** The plain SHA-256 (hex) of the canonical request, as stored before fingerprints were keyed. */
function plainDigest(method: string, path: string, environmentId: string, body: unknown): string {
  return createHash('sha256').update(canonicalJson({ method, path, environmentId, body })).digest('hex');
}

/** The documented keyed fingerprint, recomputed here from its definition. */
function keyedHash(secret: Key, plainHex: string): string {
  const derived = Buffer.from(hkdfSync('sha256', Buffer.from(secret.key, 'base64'), Buffer.alloc(0), HKDF_INFO, 32));
  return createHmac('sha256', derived).update(Buffer.from(plainHex, 'hex')).digest('hex');
}

/**
 * Stored idempotency fingerprints are keyed (HMAC under a key derived from ENCRYPTION_KEYS) and rotate
 * with the encryption keys; over HTTP, against a real PostgreSQL, several app instances in turn on
 * one database (each with its own key list).
 */
describe('idempotency fingerprints at rest', () => {
  let database: TestDatabase;
  let db: Client;
  let running: TestApp | undefined;
  const oldKey = newSecret('old-1');
  const newKey = newSecret('new-2');
  let counter = 0;
  const idempotencyKey = () => `fp-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;
  const withKey = (key: string) => ({ 'idempotency-key': key });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
  });

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });

  /** One instance at a time on the shared database, with this key list (first signs). */
  async function instance(keys: Key[]): Promise<TestApp> {
    await running?.close();
    running = await startTestApp({ databaseUrl: database.url, encryptionKeys: keys });
    return running;
  }

  async function organization(app: TestApp) {
    const org = await app.bootstrap();
    return { id: org.organizationId, envId: org.environments[0].id, apiKey: org.environments[0].apiKey };
  }

  async function record(organizationId: string, key: string): Promise<{ request_hash: string; request_hash_key_id: string | null }> {
    const { rows } = await db.query(
      // Every column: the first assertions (on request_hash) hold whatever the schema version.
      'SELECT * FROM idempotency_records WHERE organization_id = $1 AND idempotency_key = $2',
      [organizationId, key],
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  async function integrationCount(environmentId: string): Promise<number> {
    const { rows } = await db.query('SELECT count(*)::int AS n FROM integrations WHERE environment_id = $1 AND NOT deleted', [
      environmentId,
    ]);
    return rows[0].n;
  }

  it('stores an HMAC under the current key id, not the plain SHA-256 of the request (credentials included)', async () => {
    const app = await instance([oldKey]);
    const org = await organization(app);
    const client = ApiClient.apiKey(app.baseUrl, org.apiKey);
    const key = idempotencyKey();
    const body = sendgridPayload({ name: 'keyed' });
    expect((await client.post(ROUTE, body, withKey(key))).status).toBe(201);

    const stored = await record(org.id, key);
    const plain = plainDigest('POST', ROUTE, org.envId, body);
    expect(stored.request_hash).not.toBe(plain);
    expect(stored.request_hash_key_id).toBe(oldKey.id);
    expect(stored.request_hash).toBe(keyedHash(oldKey, plain));
    for (const secret of Object.values(sendgridCredentials)) expect(stored.request_hash).not.toContain(secret);
  });

  it('after a rotation (new key first, old after) replays a record of the old key, 422s another body, signs new ones with the new key', async () => {
    const before = await instance([oldKey]);
    const org = await organization(before);
    const key = idempotencyKey();
    const body = sendgridPayload({ name: 'rotated' });
    const first = await ApiClient.apiKey(before.baseUrl, org.apiKey).post(ROUTE, body, withKey(key));
    expect(first.status).toBe(201);
    expect((await record(org.id, key)).request_hash_key_id).toBe(oldKey.id);

    const after = await instance([newKey, oldKey]);
    const client = ApiClient.apiKey(after.baseUrl, org.apiKey);
    const replay = await client.post(ROUTE, body, withKey(key));
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotency-replay')).toBe('true');
    expect(replay.body).toEqual(first.body);

    const other = await client.post(ROUTE, sendgridPayload({ name: 'something else' }), withKey(key));
    expect(expectErrorShape(other, 422, ROUTE).message).toBe(`Request with key "${key}" is being reused for a different body`);
    expect(await integrationCount(org.envId)).toBe(1);

    const fresh = idempotencyKey();
    expect((await client.post(ROUTE, sendgridPayload({ name: 'fresh' }), withKey(fresh))).status).toBe(201);
    const stored = await record(org.id, fresh);
    expect(stored.request_hash_key_id).toBe(newKey.id);
    expect(stored.request_hash).toBe(keyedHash(newKey, plainDigest('POST', ROUTE, org.envId, sendgridPayload({ name: 'fresh' }))));
  });

  it('answers 422 (neither a replay, a second create nor a 500) once the key of a live record is no longer configured', async () => {
    const before = await instance([oldKey]);
    const org = await organization(before);
    const key = idempotencyKey();
    const body = sendgridPayload({ name: 'retired' });
    expect((await ApiClient.apiKey(before.baseUrl, org.apiKey).post(ROUTE, body, withKey(key))).status).toBe(201);

    const after = await instance([newKey]);
    const retry = await ApiClient.apiKey(after.baseUrl, org.apiKey).post(ROUTE, body, withKey(key));
    const error = expectErrorShape(retry, 422, ROUTE);
    expect(error.message).toBe(`Request with key "${key}" cannot be matched to its stored outcome; send it with a new key`);
    expect(retry.headers.get('idempotency-replay')).toBeNull();
    expect(await integrationCount(org.envId)).toBe(1);
  });

  it('keeps verifying a plain-hash record from before the upgrade, then re-keys it in place on the next purge pass', async () => {
    const app = await instance([newKey, oldKey]);
    const org = await organization(app);
    const client = ApiClient.apiKey(app.baseUrl, org.apiKey);
    const key = idempotencyKey();
    const body = sendgridPayload({ name: 'legacy' });
    const first = await client.post(ROUTE, body, withKey(key));
    expect(first.status).toBe(201);
    // As the previous version stored it: the plain digest and no key id.
    const plain = plainDigest('POST', ROUTE, org.envId, body);
    await db.query(
      'UPDATE idempotency_records SET request_hash = $3, request_hash_key_id = NULL WHERE organization_id = $1 AND idempotency_key = $2',
      [org.id, key, plain],
    );

    const replay = await client.post(ROUTE, body, withKey(key));
    expect([replay.status, replay.headers.get('idempotency-replay')]).toEqual([201, 'true']);
    expect(replay.body).toEqual(first.body);
    expectErrorShape(await client.post(ROUTE, sendgridPayload({ name: 'other' }), withKey(key)), 422, ROUTE);

    await app.app.get(IdempotencyPurger).purgeNow();
    const sealed = await record(org.id, key);
    expect([sealed.request_hash, sealed.request_hash_key_id]).toEqual([keyedHash(newKey, plain), newKey.id]);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM idempotency_records WHERE request_hash_key_id IS NULL');
    expect(rows[0].n).toBe(0);

    const afterSeal = await client.post(ROUTE, body, withKey(key));
    expect([afterSeal.status, afterSeal.headers.get('idempotency-replay')]).toEqual([201, 'true']);
    expect(afterSeal.body).toEqual(first.body);
    expectErrorShape(await client.post(ROUTE, sendgridPayload({ name: 'other' }), withKey(key)), 422, ROUTE);
    expect(await integrationCount(org.envId)).toBe(1);
  });
});
