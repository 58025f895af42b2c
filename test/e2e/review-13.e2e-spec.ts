import { Client, Pool } from 'pg';
import { UnitOfWork } from '@app/integrations';
import { ApiClient } from '../support/api-client';
import { directUrlOf } from '../support/database-guard';
import { startTestApp, TestApp } from '../support/test-app';
import { activeEmailPayload, sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';

/**
 * Hostile review of the pipelined unit of work, the idempotency lock/outcome statements and the
 * statement timeout (review 13). Each test says what it attacks.
 */
describe('review 13: pipelined transactions, idempotency, statement timeout', () => {
  let testApp: TestApp;
  let unique = 0;
  const label = (name: string) => `${name}-${Date.now().toString(36)}-${++unique}`;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  /** The pg clients the app's pool holds (idle or checked out). */
  function poolClients(): (Client & { pipeline?: boolean; _sentQueryQueue?: unknown[]; _queryQueue?: unknown[] })[] {
    const pool = (testApp.dataSource.driver as unknown as { master: Pool & { _clients: never[] } }).master;
    return pool._clients;
  }

  async function caller() {
    const org = await testApp.bootstrap();
    const apiKey = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    expect((await apiKey.get(ROUTE)).status).toBe(200); // the key is cached
    return { org, apiKey };
  }

  it('SET LOCAL statement_timeout reaches a pipelined transaction, and does not outlive it', async () => {
    const unitOfWork = testApp.app.get(UnitOfWork);
    const inside = await unitOfWork.run((tx) => tx.query<{ statement_timeout: string }>('SHOW statement_timeout'));
    expect(inside[0].statement_timeout).toBe('5s');
    // Set by the transaction itself (SET LOCAL folded into BEGIN), not inherited from the role's default.
    const source = "SELECT source FROM pg_settings WHERE name = 'statement_timeout'";
    expect((await unitOfWork.run((tx) => tx.query<{ source: string }>(source)))[0].source).toBe('session');
    expect((await unitOfWork.runStatement((tx) => tx.query<{ source: string }>(source)))[0].source).toBe('database user');
    // A statement over the bound fails inside the pipelined transaction (server-side timeout applied).
    const unitOfWorkFast = testApp.app.get(UnitOfWork);
    await expect(
      unitOfWorkFast.run(async (tx) => {
        await tx.query("SET LOCAL statement_timeout = '50ms'");
        await tx.query('SELECT pg_sleep(2)');
      }),
    ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '57014' }) });
    // Auto-commit statements keep the role's default, never a transaction's local value.
    const outside = await unitOfWork.runStatement((tx) => tx.query<{ statement_timeout: string }>('SHOW statement_timeout'));
    expect(outside[0].statement_timeout).toBe('5s');
    for (const client of poolClients()) expect(client.pipeline).toBeFalsy();
  });

  it('a key held elsewhere (division by zero) answers 409 more times than the pool has connections, and leaves every connection clean', async () => {
    const { org, apiKey } = await caller();
    const key = label('held');
    const holder = new Client({ connectionString: directUrlOf(testApp.config.databaseUrl) ?? testApp.config.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`idempotency:${org.organizationId}:${key}`]);
      const identifier = label('held-identifier');
      const answers = await Promise.all(
        Array.from({ length: 15 }, (_, i) =>
          (i % 2 ? apiKey.post(ROUTE, activeEmailPayload({ identifier })) : apiKey.post(ROUTE, sendgridPayload({ identifier }))).then(() =>
            apiKey.post(ROUTE, sendgridPayload({ identifier }), { 'idempotency-key': key }),
          ),
        ),
      );
      // (the unkeyed creates above race for `identifier` too: exactly one of them may have won)
      for (const answer of answers) {
        expect(answer.status).toBe(409);
        expect(answer.headers.get('retry-after')).toBe('1');
      }
      // Unrelated requests afterwards: no connection left aborted, pipelined or busy.
      const later = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          apiKey.post(ROUTE, activeEmailPayload({ identifier: label(`after-${i}`) }), { 'idempotency-key': label('k') }),
        ),
      );
      expect(later.map((r) => r.status)).toEqual(later.map(() => 201));
      for (const client of poolClients()) {
        expect(client.pipeline).toBeFalsy();
        expect(client._sentQueryQueue ?? []).toHaveLength(0);
      }
      const states = await Promise.all(poolClients().map(() => testApp.dataSource.query('SELECT 1 AS one')));
      expect(states).toHaveLength(poolClients().length);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });

  it('20 identical keyed creates at once: one integration, one record, the others 409 or the replay', async () => {
    const { apiKey } = await caller();
    const key = label('same-key');
    const identifier = label('same-key-identifier');
    const payload = activeEmailPayload({ identifier });
    const answers = await Promise.all(Array.from({ length: 20 }, () => apiKey.post(ROUTE, payload, { 'idempotency-key': key })));
    const statuses = answers.map((a) => a.status);
    for (const status of statuses) expect([201, 409]).toContain(status);
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.data._id)).size).toBe(1);
    const rows = await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations WHERE identifier = $1 AND NOT deleted', [
      identifier,
    ]);
    expect(rows[0].n).toBe(1);
    const records = await testApp.dataSource.query('SELECT count(*)::int AS n FROM idempotency_records WHERE idempotency_key = $1', [key]);
    expect(records[0].n).toBe(1);
  });

  it('one identifier raced by 24 creates (plain INSERT, pipelined transaction, keyed): exactly one 201, the rest 409, no 5xx', async () => {
    const { apiKey } = await caller();
    const identifier = label('raced');
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        if (i % 3 === 0) return apiKey.post(ROUTE, sendgridPayload({ identifier }));
        if (i % 3 === 1) return apiKey.post(ROUTE, activeEmailPayload({ identifier }));
        return apiKey.post(ROUTE, sendgridPayload({ identifier }), { 'idempotency-key': label('race-key') });
      }),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    // Every keyed 409 is stored (a client error) and replayed as it was; no record without its answer.
    const rows = await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations WHERE identifier = $1 AND NOT deleted', [
      identifier,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('an environment deleted behind a cached API key: keyed creates are 404 (stored), other routes never 5xx', async () => {
    const { org, apiKey } = await caller();
    const created = await apiKey.post(ROUTE, activeEmailPayload({ identifier: label('before-delete') }));
    expect(created.status).toBe(201);
    const id = created.body.data._id as string;
    await testApp.dataSource.query('DELETE FROM environments WHERE id = $1', [org.environments[0].id]);
    const key = label('deleted-env-key');
    for (const payload of [sendgridPayload(), activeEmailPayload()]) {
      const first = await apiKey.post(ROUTE, payload, { 'idempotency-key': `${key}-${String(payload.active)}` });
      expect(first.status).toBe(404);
      const replay = await apiKey.post(ROUTE, payload, { 'idempotency-key': `${key}-${String(payload.active)}` });
      expect(replay.status).toBe(404);
      expect(replay.body).toEqual(first.body);
    }
    const others = [
      await apiKey.get(ROUTE),
      await apiKey.get(`${ROUTE}/active`),
      await apiKey.put(`${ROUTE}/${id}`, { name: 'renamed' }),
      await apiKey.post(`${ROUTE}/${id}/set-primary`),
      await apiKey.post(`${ROUTE}/${id}/set-primary`, undefined, { 'idempotency-key': label('sp') }),
      await apiKey.request('DELETE', `${ROUTE}/${id}`),
    ];
    for (const answer of others) expect(answer.status).toBeLessThan(500);
  });

  it('set-primary, PUT active, DELETE and creates of one channel raced (keyed and not): no 5xx, exactly one primary at the end', async () => {
    const { apiKey } = await caller();
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const created = await apiKey.post(ROUTE, (i % 2 ? activeEmailPayload : sendgridPayload)({ identifier: label(`seat-${i}`) }));
      expect(created.status).toBe(201);
      ids.push(created.body.data._id as string);
    }
    const requests = Array.from({ length: 36 }, (_, i) => {
      const id = ids[i % ids.length];
      const keyed = i % 4 === 0 ? { 'idempotency-key': label('race') } : undefined;
      switch (i % 6) {
        case 0:
        case 1:
          return apiKey.post(`${ROUTE}/${id}/set-primary`, undefined, keyed);
        case 2:
          return apiKey.put(`${ROUTE}/${id}`, { active: i % 12 !== 2 });
        case 3:
          return apiKey.post(ROUTE, activeEmailPayload({ identifier: label('racer') }), keyed);
        case 4:
          return i > 24 ? apiKey.request('DELETE', `${ROUTE}/${id}`) : apiKey.post(`${ROUTE}/${id}/set-primary`);
        default:
          return apiKey.put(`${ROUTE}/${id}`, { active: true, name: label('n') });
      }
    });
    const answers = await Promise.all(requests);
    const failures = answers.filter((answer) => answer.status >= 500).map((answer) => [answer.status, answer.body]);
    expect(failures).toEqual([]);
    const active = await apiKey.get(`${ROUTE}/active`);
    expect(active.status).toBe(200);
    const email = (active.body.data as { channel: string; primary: boolean; active: boolean }[]).filter(
      (i) => i.channel === 'email' && i.active,
    );
    expect(email.filter((i) => i.primary)).toHaveLength(email.length > 0 ? 1 : 0);
  });

  it('a keyed create refused by the unique index (23505 behind the lock, in the pipeline) stores its 409 and replays it; an expired record is replaced', async () => {
    const { apiKey } = await caller();
    const identifier = label('taken');
    expect((await apiKey.post(ROUTE, sendgridPayload({ identifier }))).status).toBe(201);
    const key = label('taken-key');
    for (const payload of [sendgridPayload({ identifier }), activeEmailPayload({ identifier })]) {
      const own = `${key}-${String(payload.active)}`;
      const first = await apiKey.post(ROUTE, payload, { 'idempotency-key': own });
      expect(first.status).toBe(409);
      const replay = await apiKey.post(ROUTE, payload, { 'idempotency-key': own });
      expect(replay.status).toBe(409);
      expect(replay.headers.get('idempotency-replay')).toBe('true');
      expect(replay.body).toEqual(first.body);
    }
    // The record expires (not purged yet): the key is free again, its row replaced by the upsert.
    await testApp.dataSource.query(`UPDATE idempotency_records SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`, [
      `${key}-undefined`,
    ]);
    const again = await apiKey.post(ROUTE, sendgridPayload({ identifier: label('fresh') }), { 'idempotency-key': `${key}-undefined` });
    expect(again.status).toBe(201);
    const replayed = await apiKey.post(ROUTE, sendgridPayload({ identifier: label('other') }), { 'idempotency-key': `${key}-undefined` });
    expect(replayed.status).toBe(422);
    const [{ n }] = await testApp.dataSource.query('SELECT count(*)::int AS n FROM idempotency_records WHERE idempotency_key = $1', [
      `${key}-undefined`,
    ]);
    expect(n).toBe(1);
  });

  it('a session whose default environment was deleted: creates are 404, keyed or not, and no route answers 5xx', async () => {
    const org = await testApp.bootstrap();
    const session = ApiClient.session(testApp.baseUrl, org.sessionToken);
    const created = await session.post(ROUTE, activeEmailPayload({ identifier: label('session-before') }));
    expect(created.status).toBe(201);
    const id = created.body.data._id as string;
    await testApp.dataSource.query('DELETE FROM environments WHERE id = $1', [org.environments[0].id]);
    const answers = [
      await session.post(ROUTE, sendgridPayload()),
      await session.post(ROUTE, activeEmailPayload()),
      await session.post(ROUTE, activeEmailPayload(), { 'idempotency-key': label('session-key') }),
      await session.post(ROUTE, sendgridPayload({ _environmentId: org.environments[0].id })),
    ];
    for (const answer of answers) expect([401, 403, 404]).toContain(answer.status);
    const others = [
      await session.get(ROUTE),
      await session.get(`${ROUTE}/active`),
      await session.put(`${ROUTE}/${id}`, { name: 'renamed' }),
      await session.post(`${ROUTE}/${id}/set-primary`, undefined, { 'idempotency-key': label('sp') }),
      await session.request('DELETE', `${ROUTE}/${id}`),
      await session.post(`${ROUTE}/select`, { channel: 'email' }),
    ];
    for (const answer of others) expect(answer.status).toBeLessThan(500);
  });

  it('one key raced with different bodies and from both environments of the organization: one create, the rest 409/422', async () => {
    const org = await testApp.bootstrap();
    const development = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    const production = ApiClient.apiKey(testApp.baseUrl, org.environments[1].apiKey);
    const key = label('shared-key');
    const prefix = label('shared');
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? production : development).post(ROUTE, (i % 3 ? activeEmailPayload : sendgridPayload)({ identifier: `${prefix}-${i}` }), {
          'idempotency-key': key,
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => ![201, 409, 422].includes(s))).toEqual([]);
    const [{ n }] = await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations WHERE identifier LIKE $1', [`${prefix}-%`]);
    expect(n).toBe(1);
    expect(statuses.filter((s) => s === 201).length).toBe(1);
  });
});
