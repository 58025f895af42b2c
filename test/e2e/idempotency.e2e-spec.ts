import { Client } from 'pg';
import { IdempotencyPurger } from '../../apps/api/src/idempotency/idempotency-purger';
import { ApiClient, ApiResponse, expectErrorShape } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { activeEmailPayload, activeSmsPayload, sendgridCredentials, sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** The idempotency-key contract (docs/contract.md §5), over HTTP against a real PostgreSQL. */
describe('idempotency-key (docs/contract.md §5)', () => {
  let testApp: TestApp;
  let db: Client;
  let counter = 0;
  const newKey = (label = 'key') => `${label}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    testApp = await startTestApp();
    // Direct (not through the test PgBouncer): this session holds session-level advisory locks.
    db = new Client({ connectionString: testApp.config.databaseDirectUrl ?? testApp.config.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await testApp?.close();
  });

  async function organization() {
    const org = await testApp.bootstrap();
    return {
      id: org.organizationId,
      devId: org.environments[0].id,
      dev: ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey),
      prod: ApiClient.apiKey(testApp.baseUrl, org.environments[1].apiKey),
      session: ApiClient.session(testApp.baseUrl, org.sessionToken),
    };
  }

  const withKey = (key: string) => ({ 'idempotency-key': key });

  async function integrationsIn(environmentId: string): Promise<{ id: string; name: string }[]> {
    const { rows } = await db.query('SELECT id, name FROM integrations WHERE environment_id = $1 AND NOT deleted ORDER BY created_at', [
      environmentId,
    ]);
    return rows;
  }

  async function recordCount(organizationId: string, key: string): Promise<number> {
    const { rows } = await db.query(
      'SELECT count(*)::int AS n FROM idempotency_records WHERE organization_id = $1 AND idempotency_key = $2',
      [organizationId, key],
    );
    return rows[0].n;
  }

  function expectReplayOf(replay: ApiResponse, original: ApiResponse, key: string): void {
    expect(replay.status).toBe(original.status);
    expect(replay.body).toEqual(original.body);
    expect(replay.headers.get('idempotency-replay')).toBe('true');
    expect(replay.headers.get('idempotency-key')).toBe(key);
  }

  describe('first request and replay', () => {
    it('processes the first request once, answers Idempotency-Key, and replays 201 with Idempotency-Replay: true', async () => {
      const org = await organization();
      const key = newKey();
      const first = await org.dev.post(ROUTE, sendgridPayload({ name: 'once' }), withKey(key));
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotency-key')).toBe(key);
      expect(first.headers.get('idempotency-replay')).toBeNull();

      const second = await org.dev.post(ROUTE, sendgridPayload({ name: 'once' }), withKey(key));
      expectReplayOf(second, first, key);
      expect(await integrationsIn(org.devId)).toHaveLength(1);
      expect(await recordCount(org.id, key)).toBe(1);
    });

    it('treats key order in the body as the same body (canonical JSON)', async () => {
      const org = await organization();
      const key = newKey();
      const first = await org.dev.post(ROUTE, { providerId: 'sendgrid', name: 'ordered', channel: 'email' }, withKey(key));
      const second = await org.dev.post(ROUTE, { channel: 'email', name: 'ordered', providerId: 'sendgrid' }, withKey(key));
      expect(first.status).toBe(201);
      expectReplayOf(second, first, key);
    });

    it('replays the original status of set-primary (200), not the route default of a POST', async () => {
      const org = await organization();
      const a = (await org.dev.post(ROUTE, activeSmsPayload({ name: 'a' }))).body.data;
      const b = (await org.dev.post(ROUTE, activeSmsPayload({ name: 'b' }))).body.data;
      expect(a.primary).toBe(true);
      const key = newKey();
      const first = await org.dev.post(`${ROUTE}/${b._id}/set-primary`, undefined, withKey(key));
      expect(first.status).toBe(200);
      expect(first.body.data.primary).toBe(true);
      const second = await org.dev.post(`${ROUTE}/${b._id}/set-primary`, undefined, withKey(key));
      expectReplayOf(second, first, key);
    });

    it('works for session callers too, and a replay shows them the credentials like the original', async () => {
      const org = await organization();
      const key = newKey();
      const first = await org.session.post(ROUTE, sendgridPayload({ name: 'session' }), withKey(key));
      expect(first.status).toBe(201);
      expect(first.body.data.credentials).toEqual(sendgridCredentials);
      const second = await org.session.post(ROUTE, sendgridPayload({ name: 'session' }), withKey(key));
      expectReplayOf(second, first, key);
      expect(await integrationsIn(org.devId)).toHaveLength(1);
      // The stored response holds decrypted credentials: it is encrypted at rest like them.
      const { rows } = await db.query('SELECT response_body FROM idempotency_records WHERE organization_id = $1 AND idempotency_key = $2', [
        org.id,
        key,
      ]);
      expect(rows).toHaveLength(1);
      for (const secret of Object.values(sendgridCredentials)) expect(rows[0].response_body).not.toContain(secret);
      expect(JSON.parse(rows[0].response_body)).toEqual(expect.objectContaining({ kid: expect.any(String), ct: expect.any(String) }));
    });

    it('replays an API-key caller credentials: {}, like the original', async () => {
      const org = await organization();
      const key = newKey();
      const first = await org.dev.post(ROUTE, sendgridPayload({ name: 'api-key' }), withKey(key));
      expect(first.body.data.credentials).toEqual({});
      const second = await org.dev.post(ROUTE, sendgridPayload({ name: 'api-key' }), withKey(key));
      expectReplayOf(second, first, key);
    });
  });

  describe('client errors (4xx) are stored and replayed; their writes are rolled back', () => {
    it('replays a 409 identifier conflict even after the identifier became free', async () => {
      const org = await organization();
      const taken = (await org.dev.post(ROUTE, sendgridPayload({ identifier: 'taken' }))).body.data;
      const key = newKey();
      const first = await org.dev.post(ROUTE, sendgridPayload({ identifier: 'taken' }), withKey(key));
      expectErrorShape(first, 409, ROUTE);
      expect(first.headers.get('idempotency-key')).toBe(key);

      expect((await org.dev.delete(`${ROUTE}/${taken._id}`)).status).toBe(200);
      const second = await org.dev.post(ROUTE, sendgridPayload({ identifier: 'taken' }), withKey(key));
      expectReplayOf(second, first, key);
      expect(await integrationsIn(org.devId)).toHaveLength(0);
    });

    it('replays a 404 of set-primary on an unknown id', async () => {
      const org = await organization();
      const key = newKey();
      const path = `${ROUTE}/${UNKNOWN_ID}/set-primary`;
      const first = await org.dev.post(path, undefined, withKey(key));
      expectErrorShape(first, 404, path);
      expectReplayOf(await org.dev.post(path, undefined, withKey(key)), first, key);
    });

    it('replays a 422 validation failure', async () => {
      const org = await organization();
      const key = newKey();
      const first = await org.dev.post(ROUTE, { providerId: 'sendgrid', bogus: true }, withKey(key));
      expect(first.status).toBe(422);
      expectReplayOf(await org.dev.post(ROUTE, { providerId: 'sendgrid', bogus: true }, withKey(key)), first, key);
    });
  });

  describe('in progress, reuse and limits', () => {
    it('answers 409 with Retry-After: 1 while the first request with the key is still running, then replays it', async () => {
      const org = await organization();
      const key = newKey('slow');
      // Make the first request slow, deterministically: hold the advisory lock the create use case
      // takes for (environment, email) from this test's own connection.
      const channelLock = `integrations:channel:${org.devId}:email`;
      await db.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [channelLock]);
      let firstPromise: Promise<ApiResponse> | undefined;
      try {
        firstPromise = org.dev.post(ROUTE, activeEmailPayload({ name: 'slow' }), withKey(key));
        await waitForBlockedAdvisoryLock(db);

        const concurrent = await org.dev.post(ROUTE, activeEmailPayload({ name: 'slow' }), withKey(key));
        const body = expectErrorShape(concurrent, 409, ROUTE);
        expect(body.message).toBe(`Request with key "${key}" is currently being processed. Please retry after 1 second`);
        expect(body.error).toBe('Conflict');
        expect(concurrent.headers.get('retry-after')).toBe('1');
        expect(concurrent.headers.get('idempotency-key')).toBe(key);
      } finally {
        await db.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [channelLock]);
      }
      const first = await firstPromise!;
      expect(first.status).toBe(201);
      expectReplayOf(await org.dev.post(ROUTE, activeEmailPayload({ name: 'slow' }), withKey(key)), first, key);
      expect(await integrationsIn(org.devId)).toHaveLength(1);
    });

    it('answers 422 when the key is reused for a different body (or another route), and changes nothing', async () => {
      const org = await organization();
      const key = newKey();
      expect((await org.dev.post(ROUTE, sendgridPayload({ name: 'one' }), withKey(key))).status).toBe(201);
      const other = await org.dev.post(ROUTE, sendgridPayload({ name: 'two' }), withKey(key));
      const body = expectErrorShape(other, 422, ROUTE);
      expect(body.message).toBe(`Request with key "${key}" is being reused for a different body`);
      const integration = (await integrationsIn(org.devId))[0];
      const path = `${ROUTE}/${integration.id}/set-primary`;
      expectErrorShape(await org.dev.post(path, undefined, withKey(key)), 422, path);
      expect((await integrationsIn(org.devId)).map((i) => i.name)).toEqual(['one']);
    });

    it('refuses keys over 255 characters with 400 and accepts exactly 255', async () => {
      const org = await organization();
      const long = 'k'.repeat(256);
      const refused = await org.dev.post(ROUTE, sendgridPayload(), withKey(long));
      const body = expectErrorShape(refused, 400, ROUTE);
      expect(body.message).toBe(`idempotencyKey "${long}" has exceeded the maximum allowed length of 255 characters`);
      expect(await integrationsIn(org.devId)).toHaveLength(0);
      expect((await org.dev.post(ROUTE, sendgridPayload(), withKey('k'.repeat(255)))).status).toBe(201);
    });

    it('scopes keys to the organization: the same key in two organizations are independent', async () => {
      const one = await organization();
      const two = await organization();
      const key = newKey('shared');
      const a = await one.dev.post(ROUTE, sendgridPayload({ name: 'same' }), withKey(key));
      const b = await two.dev.post(ROUTE, sendgridPayload({ name: 'same' }), withKey(key));
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(b.headers.get('idempotency-replay')).toBeNull();
      expect(a.body.data._id).not.toBe(b.body.data._id);
      expect(b.body.data._organizationId).toBe(two.id);
    });

    it('treats the same key aimed at another environment of the organization as another request (422)', async () => {
      const org = await organization();
      const key = newKey();
      expect((await org.dev.post(ROUTE, sendgridPayload(), withKey(key))).status).toBe(201);
      expectErrorShape(await org.prod.post(ROUTE, sendgridPayload(), withKey(key)), 422, ROUTE);
    });
  });

  describe('ignored where it does not apply', () => {
    it('ignores the key on GET, PUT and DELETE (the SDK sends one on every request)', async () => {
      const org = await organization();
      const created = (await org.dev.post(ROUTE, sendgridPayload({ name: 'x' }))).body.data;
      const key = newKey();

      const list = await org.dev.get(ROUTE, withKey(key));
      expect(list.status).toBe(200);
      expect(list.headers.get('idempotency-key')).toBeNull();

      const first = await org.dev.put(`${ROUTE}/${created._id}`, { name: 'y' }, withKey(key));
      const second = await org.dev.put(`${ROUTE}/${created._id}`, { name: 'z' }, withKey(key));
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers.get('idempotency-replay')).toBeNull();
      expect(second.body.data.name).toBe('z');

      expect((await org.dev.delete(`${ROUTE}/${created._id}`, withKey(key))).status).toBe(200);
      expect(await recordCount(org.id, key)).toBe(0);
    });

    it('does not apply to unauthenticated requests (401 comes first, nothing stored)', async () => {
      const key = newKey();
      const anonymous = new ApiClient(testApp.baseUrl);
      expectErrorShape(await anonymous.post(ROUTE, sendgridPayload(), withKey(key)), 401, ROUTE);
      const { rows } = await db.query('SELECT count(*)::int AS n FROM idempotency_records WHERE idempotency_key = $1', [key]);
      expect(rows[0].n).toBe(0);
    });
  });

  describe('server errors (5xx) are not stored', () => {
    it('lets a retry succeed after a 500, and stores only the success', async () => {
      const org = await organization();
      const key = newKey('five-hundred');
      const constraint = `test_refuse_boom_${process.pid}`;
      // Break the test database deterministically: a CHECK the service does not know about → 500.
      await db.query(`ALTER TABLE integrations ADD CONSTRAINT ${constraint} CHECK (name <> 'boom') NOT VALID`);
      let failed: ApiResponse;
      try {
        failed = await org.dev.post(ROUTE, sendgridPayload({ name: 'boom' }), withKey(key));
      } finally {
        await db.query(`ALTER TABLE integrations DROP CONSTRAINT ${constraint}`);
      }
      const body = expectErrorShape(failed, 500, ROUTE);
      expect(body.errorId).toEqual(expect.any(String));
      expect(await recordCount(org.id, key)).toBe(0);

      const retried = await org.dev.post(ROUTE, sendgridPayload({ name: 'boom' }), withKey(key));
      expect(retried.status).toBe(201);
      expect(retried.headers.get('idempotency-replay')).toBeNull();
      expect(await recordCount(org.id, key)).toBe(1);
      expect(await integrationsIn(org.devId)).toHaveLength(1);
    });
  });

  describe('expiry', () => {
    it('treats an expired record as absent and purges expired records in the background job', async () => {
      const org = await organization();
      const expiredKey = newKey('expired');
      const staleKey = newKey('stale');
      for (const key of [expiredKey, staleKey]) {
        await db.query(
          `INSERT INTO idempotency_records (organization_id, idempotency_key, request_hash, status_code, response_body, created_at, expires_at)
           VALUES ($1, $2, $3, 201, '{"data":{}}', now() - interval '25 hours', now() - interval '1 hour')`,
          [org.id, key, '0'.repeat(64)],
        );
      }
      const fresh = await org.dev.post(ROUTE, sendgridPayload({ name: 'after-expiry' }), withKey(expiredKey));
      expect(fresh.status).toBe(201);
      expect(fresh.headers.get('idempotency-replay')).toBeNull();
      const { rows } = await db.query(
        `SELECT expires_at > now() + interval '23 hours' AS renewed FROM idempotency_records WHERE organization_id = $1 AND idempotency_key = $2`,
        [org.id, expiredKey],
      );
      expect(rows).toEqual([{ renewed: true }]);

      await testApp.app.get(IdempotencyPurger).purgeNow();
      expect(await recordCount(org.id, staleKey)).toBe(0);
      expect(await recordCount(org.id, expiredKey)).toBe(1);
    });
  });

  describe('health probes (no auth, no envelope)', () => {
    it('answers /health/live and /health/ready with 200', async () => {
      const anonymous = new ApiClient(testApp.baseUrl);
      const live = await anonymous.get('/health/live');
      // `version` (package.json) since issue #12 item 5; its value is asserted in keys.system-spec.ts
      expect([live.status, live.body]).toEqual([200, { status: 'ok', version: expect.any(String) }]);
      const ready = await anonymous.get('/health/ready');
      expect([ready.status, ready.body]).toEqual([200, { status: 'ok', database: 'up', version: expect.any(String) }]);
    });
  });
});

/** Resolves once some session waits for an advisory lock (the slow request is inside its transaction). */
async function waitForBlockedAdvisoryLock(db: Client): Promise<void> {
  for (let attempt = 0; attempt < 2_000; attempt++) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
    if (rows[0].n > 0) return;
    await new Promise((done) => setImmediate(done));
  }
  throw new Error('the request never reached the advisory lock');
}
