import { ApiClient, expectErrorShape, nullPaths } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { activeEmailPayload, condition, sendgridCredentials, sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('the rest of /v1/integrations (real PostgreSQL, over HTTP)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  /** A fresh organization per test: its Development key, Production key and a session. */
  async function organization() {
    const org = await testApp.bootstrap();
    return {
      dev: ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey),
      prod: ApiClient.apiKey(testApp.baseUrl, org.environments[1].apiKey),
      session: ApiClient.session(testApp.baseUrl, org.sessionToken),
      devId: org.environments[0].id,
      prodId: org.environments[1].id,
    };
  }

  async function create(client: ApiClient, body: Record<string, unknown>) {
    const response = await client.post(ROUTE, body);
    expect(response.status).toBe(201);
    return response.body.data;
  }

  describe('GET /v1/integrations and /active', () => {
    it('scopes API keys to their environment, sessions to the organization', async () => {
      const org = await organization();
      const a = await create(org.dev, activeEmailPayload());
      const b = await create(org.dev, sendgridPayload());
      const c = await create(org.prod, sendgridPayload());

      const devList = await org.dev.get(ROUTE);
      expect(devList.status).toBe(200);
      expect(Object.keys(devList.body)).toEqual(['data']);
      expect(devList.body.data.map((i: any) => i._id)).toEqual([a._id, b._id]);

      const sessionList = await org.session.get(ROUTE);
      expect(sessionList.body.data.map((i: any) => i._id).sort()).toEqual([a._id, b._id, c._id].sort());

      const active = await org.dev.get(`${ROUTE}/active`);
      expect(active.status).toBe(200);
      expect(active.body.data.map((i: any) => i._id)).toEqual([a._id]);
      expect(nullPaths(devList.body)).toEqual([]);
    });

    it('gives API keys credentials: {} on every item and sessions the decrypted values', async () => {
      const org = await organization();
      await create(org.dev, activeEmailPayload());
      const viaKey = await org.dev.get(ROUTE);
      expect(viaKey.body.data.map((i: any) => i.credentials)).toEqual([{}]);
      const activeViaKey = await org.dev.get(`${ROUTE}/active`);
      expect(activeViaKey.body.data.map((i: any) => i.credentials)).toEqual([{}]);
      const viaSession = await org.session.get(`${ROUTE}/active`);
      expect(viaSession.body.data.map((i: any) => i.credentials)).toEqual([sendgridCredentials]);
    });

    it('requires authentication', async () => {
      const org = await organization();
      expectErrorShape(await org.dev.as(undefined).get(ROUTE), 401, ROUTE);
    });
  });

  describe('PUT /v1/integrations/:id', () => {
    it('updates, answers 200, gives API keys credentials: {} and sessions the values', async () => {
      const org = await organization();
      const created = await create(org.dev, sendgridPayload());
      const response = await org.dev.put(`${ROUTE}/${created._id}`, { name: 'Renamed', credentials: { apiKey: 'new-key' } });
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({ _id: created._id, name: 'Renamed', credentials: {} });

      const bySession = await org.session.put(`${ROUTE}/${created._id}`, { identifier: 'renamed-id' });
      expect(bySession.body.data).toMatchObject({ identifier: 'renamed-id', credentials: { apiKey: 'new-key' } });
    });

    it('answers 404 for unknown and malformed ids', async () => {
      const org = await organization();
      for (const id of [UNKNOWN_ID, 'not-an-id', '1%27%20OR%201=1']) {
        const response = await org.dev.put(`${ROUTE}/${id}`, { name: 'x' });
        expect(response.status).toBe(404);
        expect(response.body.statusCode).toBe(404);
      }
    });

    it('answers 400 to an empty body', async () => {
      const org = await organization();
      const created = await create(org.dev, sendgridPayload());
      const response = await org.dev.put(`${ROUTE}/${created._id}`, {});
      expect(expectErrorShape(response, 400, `${ROUTE}/${created._id}`).message).toBe('No properties found for update');
    });

    it('answers 409 to a taken identifier and 422 to unknown keys', async () => {
      const org = await organization();
      await create(org.dev, sendgridPayload({ identifier: 'taken' }));
      const created = await create(org.dev, sendgridPayload());
      const path = `${ROUTE}/${created._id}`;
      expect(expectErrorShape(await org.dev.put(path, { identifier: 'taken' }), 409, path).message).toBe(
        'Integration with identifier already exists',
      );
      expect(Object.keys(expectErrorShape(await org.dev.put(path, { providerId: 'mailgun' }), 422, path).errors)).toContain('providerId');
    });

    it('answers 403 when an API key reaches into another environment', async () => {
      const org = await organization();
      const created = await create(org.prod, sendgridPayload());
      expectErrorShape(await org.dev.put(`${ROUTE}/${created._id}`, { name: 'x' }), 403, `${ROUTE}/${created._id}`);
    });

    it('recomputes primary on activation, deactivation and conditions', async () => {
      const org = await organization();
      const first = await create(org.dev, activeEmailPayload());
      const second = await create(org.dev, sendgridPayload());
      const activated = await org.dev.put(`${ROUTE}/${second._id}`, { active: true });
      expect(activated.body.data).toMatchObject({ active: true, primary: false, priority: 1 });

      const deactivated = await org.dev.put(`${ROUTE}/${first._id}`, { active: false });
      expect(deactivated.body.data).toMatchObject({ active: false, primary: false, priority: 0 });

      const promoted = await org.dev.post(`${ROUTE}/${second._id}/set-primary`);
      expect(promoted.body.data).toMatchObject({ primary: true });
      const conditioned = await org.dev.put(`${ROUTE}/${second._id}`, { conditions: [condition()] });
      expect(conditioned.body.data).toMatchObject({ primary: false, conditions: [condition()] });
    });
  });

  describe('POST /v1/integrations/:id/set-primary', () => {
    it('answers 200 to an empty body without content type and moves the flag', async () => {
      const org = await organization();
      const first = await create(org.dev, activeEmailPayload());
      const second = await create(org.dev, sendgridPayload({ conditions: [condition()] }));
      const response = await org.dev.request('POST', `${ROUTE}/${second._id}/set-primary`);
      expect(response.status).toBe(200);
      expect(Object.keys(response.body)).toEqual(['data']);
      expect(response.body.data).toMatchObject({ _id: second._id, active: true, primary: true, priority: 2, conditions: [] });
      expect(response.body.data.credentials).toEqual({});

      const list = await org.session.get(ROUTE);
      const byId = Object.fromEntries(list.body.data.map((i: any) => [i._id, i]));
      expect(byId[first._id]).toMatchObject({ primary: false, priority: 1 });
      expect(list.body.data.filter((i: any) => i.primary)).toHaveLength(1);
    });

    it('leaves an existing primary unchanged', async () => {
      const org = await organization();
      const first = await create(org.dev, activeEmailPayload());
      const response = await org.dev.post(`${ROUTE}/${first._id}/set-primary`);
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({ primary: true, priority: 1, updatedAt: first.updatedAt });
    });

    it('answers 400 for channels without primary and 404 for unknown ids', async () => {
      const org = await organization();
      const chat = await create(org.dev, { providerId: 'discord' });
      const path = `${ROUTE}/${chat._id}/set-primary`;
      expect(expectErrorShape(await org.dev.post(path), 400, path).message).toBe('Channel chat does not support primary');
      expect((await org.dev.post(`${ROUTE}/${UNKNOWN_ID}/set-primary`)).status).toBe(404);
      expect((await org.dev.post(`${ROUTE}/nope/set-primary`)).status).toBe(404);
    });

    it('refuses to activate an inactive integration without its required credentials (422, row unchanged)', async () => {
      const org = await organization();
      const primary = await create(org.dev, activeEmailPayload());
      const bare = await create(org.dev, sendgridPayload({ credentials: { from: 'ops@example.com', senderName: 'Acme' } }));
      const rowsBefore = await testApp.dataSource.query('SELECT * FROM integrations WHERE id = ANY($1) ORDER BY id', [
        [primary._id, bare._id],
      ]);

      const path = `${ROUTE}/${bare._id}/set-primary`;
      const refused = expectErrorShape(await org.dev.post(path), 422, path);
      expect(refused.errors).toEqual({
        'credentials.apiKey': { messages: ['credentials.apiKey is required by sendgrid when the integration is active'] },
      });
      expect(JSON.stringify(refused)).not.toContain('ops@example.com');
      const rowsAfter = await testApp.dataSource.query('SELECT * FROM integrations WHERE id = ANY($1) ORDER BY id', [
        [primary._id, bare._id],
      ]);
      expect(rowsAfter).toEqual(rowsBefore);

      const completed = await org.session.put(`${ROUTE}/${bare._id}`, { credentials: { ...sendgridCredentials } });
      expect(completed.status).toBe(200);
      expect(completed.body.data.active).toBe(false);
      const promoted = await org.dev.post(path);
      expect(promoted.status).toBe(200);
      expect(promoted.body.data).toMatchObject({ _id: bare._id, active: true, primary: true, priority: 2 });
    });

    it('gives session callers the decrypted credentials', async () => {
      const org = await organization();
      const created = await create(org.dev, sendgridPayload());
      const response = await org.session.post(`${ROUTE}/${created._id}/set-primary`);
      expect(response.body.data.credentials).toEqual(sendgridCredentials);
    });
  });

  describe('DELETE /v1/integrations/:id', () => {
    it('soft-deletes, answers 200 with what remains in the environment, frees the identifier', async () => {
      const org = await organization();
      const first = await create(org.dev, activeEmailPayload({ identifier: 'to-free' }));
      const second = await create(org.dev, activeEmailPayload());
      await create(org.prod, sendgridPayload());

      const response = await org.dev.delete(`${ROUTE}/${first._id}`);
      expect(response.status).toBe(200);
      expect(response.body.data.map((i: any) => i._id)).toEqual([second._id]);
      expect(response.body.data[0]).toMatchObject({ credentials: {}, priority: 1 });

      const [row] = await testApp.dataSource.query('SELECT deleted, deleted_at FROM integrations WHERE id = $1', [first._id]);
      expect(row.deleted).toBe(true);
      expect(row.deleted_at).not.toBeNull();

      expect((await org.session.get(ROUTE)).body.data.map((i: any) => i._id)).not.toContain(first._id);
      await create(org.dev, sendgridPayload({ identifier: 'to-free' }));
      expect((await org.dev.delete(`${ROUTE}/${first._id}`)).status).toBe(404);
    });

    it('answers 403 across environments and 404 for malformed ids', async () => {
      const org = await organization();
      const created = await create(org.prod, sendgridPayload());
      expect((await org.dev.delete(`${ROUTE}/${created._id}`)).status).toBe(403);
      expect((await org.dev.delete(`${ROUTE}/not-a-uuid`)).status).toBe(404);
    });

    it('gives sessions decrypted credentials in the remaining list', async () => {
      const org = await organization();
      const a = await create(org.dev, sendgridPayload());
      await create(org.dev, sendgridPayload());
      const response = await org.session.delete(`${ROUTE}/${a._id}`);
      expect(response.body.data.map((i: any) => i.credentials)).toEqual([sendgridCredentials]);
    });
  });
});
