import { ApiClient, expectErrorShape, nullPaths } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { activeEmailPayload, sendgridCredentials } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';
const SELECT = '/v1/integrations/select';
const planIs = (plan: string) => [
  { isNegated: false, value: 'AND', children: [{ field: 'data.plan', value: plan, operator: 'EQUAL', on: 'tenant' }] },
];

describe('POST /v1/integrations/select (real PostgreSQL, over HTTP)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function organization() {
    const org = await testApp.bootstrap();
    return {
      dev: ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey),
      session: ApiClient.session(testApp.baseUrl, org.sessionToken),
    };
  }

  async function create(client: ApiClient, body: Record<string, unknown>) {
    const response = await client.post(ROUTE, body);
    expect(response.status).toBe(201);
    return response.body.data;
  }

  it('explains the choice: API keys get credentials {}, sessions the decrypted values', async () => {
    const org = await organization();
    const primary = await create(org.dev, activeEmailPayload({ identifier: 'primary-mail' }));
    const second = await create(org.dev, activeEmailPayload({ identifier: 'second-mail' }));
    // The first active email integration is the primary; the second ranks below it (docs/contract.md §3).
    const asKey = await org.dev.post(SELECT, { channel: 'email' });
    expect(asKey.status).toBe(200);
    expect(Object.keys(asKey.body)).toEqual(['data']);
    const chosen = asKey.body.data.integration;
    expect(chosen._id).toBe(primary._id);
    expect(asKey.body.data.fallbacks.map((i: any) => i._id)).toEqual([second._id]);
    expect(chosen.credentials).toEqual({});
    expect(asKey.body.data.fallbacks.map((i: any) => i.credentials)).toEqual([{}]);
    expect(asKey.body.data.candidates).toEqual([
      {
        _id: chosen._id,
        identifier: chosen.identifier,
        providerId: 'sendgrid',
        selected: true,
        reason: 'selected: the primary of the channel',
      },
      expect.objectContaining({ selected: false, reason: 'fallback 1 (not primary)' }),
    ]);
    expect(nullPaths(asKey.body)).toEqual([]);

    const asSession = await org.session.post(SELECT, { channel: 'email' });
    expect(asSession.status).toBe(200);
    expect(asSession.body.data.integration._id).toBe(chosen._id);
    expect(asSession.body.data.integration.credentials).toEqual(sendgridCredentials);
    expect(asSession.body.data.fallbacks[0].credentials).toEqual(sendgridCredentials);
  });

  it('evaluates tenant conditions, and sees each write at once on the same instance (cache invalidated)', async () => {
    const org = await organization();
    const base = await create(org.dev, activeEmailPayload({ identifier: 'base' }));
    const pro = await create(org.dev, activeEmailPayload({ identifier: 'pro', conditions: planIs('pro') }));
    const tenant = { identifier: 'acme', data: { plan: 'pro' } };

    const first = await org.dev.post(SELECT, { channel: 'email', tenant });
    expect(first.body.data.integration.identifier).toBe('pro');
    expect(first.body.data.fallbacks.map((i: any) => i.identifier)).toEqual(['base']);

    const free = await org.dev.post(SELECT, { channel: 'email', tenant: { identifier: 'acme', data: { plan: 'free' } } });
    expect(free.body.data.integration.identifier).toBe('base');
    expect(free.body.data.candidates.find((c: any) => c.identifier === 'pro').reason).toBe(
      'condition failed: tenant.data.plan EQUAL "pro"',
    );

    // Writes on this instance: the next selection reflects each of them.
    expect((await org.dev.put(`${ROUTE}/${pro._id}`, { active: false })).status).toBe(200);
    expect((await org.dev.post(SELECT, { channel: 'email', tenant })).body.data.integration.identifier).toBe('base');
    expect((await org.dev.put(`${ROUTE}/${pro._id}`, { active: true })).status).toBe(200);
    expect((await org.dev.post(SELECT, { channel: 'email', tenant })).body.data.integration.identifier).toBe('pro');
    expect((await org.dev.delete(`${ROUTE}/${pro._id}`)).status).toBe(200);
    const afterDelete = await org.dev.post(SELECT, { channel: 'email', tenant });
    expect(afterDelete.body.data.integration._id).toBe(base._id);
    expect(afterDelete.body.data.candidates.map((c: any) => c.identifier)).toEqual(['base']);
  });

  it('never chooses inactive or deleted integrations; by identifier: that one or none', async () => {
    const org = await organization();
    const only = await create(org.dev, activeEmailPayload({ identifier: 'only' }));
    await create(org.dev, { providerId: 'mailgun', identifier: 'inactive' });
    expect((await org.dev.post(SELECT, { channel: 'email', identifier: 'only' })).body.data.integration._id).toBe(only._id);
    const inactive = await org.dev.post(SELECT, { channel: 'email', identifier: 'inactive' });
    expect(inactive.status).toBe(200);
    expect(inactive.body.data).toEqual({ fallbacks: [], candidates: [expect.objectContaining({ identifier: 'only', selected: false })] });
    expect((await org.dev.delete(`${ROUTE}/${only._id}`)).status).toBe(200);
    expect((await org.dev.post(SELECT, { channel: 'email' })).body.data).toEqual({ fallbacks: [], candidates: [] });
    expect((await org.dev.post(SELECT, { channel: 'email', identifier: 'only' })).body.data).toEqual({ fallbacks: [], candidates: [] });
  });

  it('narrows by providerId', async () => {
    const org = await organization();
    await create(org.dev, activeEmailPayload({ identifier: 'sg' }));
    const selection = await org.dev.post(SELECT, { channel: 'email', providerId: 'mailgun' });
    expect(selection.body.data.integration).toBeUndefined();
    expect(selection.body.data.candidates).toEqual([expect.objectContaining({ identifier: 'sg', reason: 'provider is not "mailgun"' })]);
  });

  it('stores nothing for an idempotency-key (two different bodies under one key both answer)', async () => {
    const org = await organization();
    await create(org.dev, activeEmailPayload());
    const key = { 'idempotency-key': 'select-key-1' };
    const a = await org.dev.post(SELECT, { channel: 'email' }, key);
    const b = await org.dev.post(SELECT, { channel: 'sms' }, key);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.data).toEqual({ fallbacks: [], candidates: [] });
    expect(a.headers.get('idempotency-replay')).toBeNull();
    expect(b.headers.get('idempotency-key')).toBeNull();
  });

  it('validates the body like the other routes (422 with dotted paths)', async () => {
    const org = await organization();
    for (const [body, path] of [
      [{}, 'channel'],
      [{ channel: 'fax' }, 'channel'],
      [{ channel: 'email', tenant: { name: 'x' } }, 'tenant.identifier'],
      [{ channel: 'email', tenant: { identifier: 'a', extra: 1 } }, 'tenant.extra'],
      [{ channel: 'email', tenant: { identifier: 'a', data: 'x' } }, 'tenant.data'],
      [{ channel: 'email', integrationId: 'x' }, 'integrationId'],
      [{ channel: 'email', identifier: 7 }, 'identifier'],
    ] as const) {
      const response = await org.dev.post(SELECT, body);
      expect({ body, errors: Object.keys(expectErrorShape(response, 422, SELECT).errors ?? {}) }).toEqual({ body, errors: [path] });
    }
    expect((await ApiClient.apiKey(testApp.baseUrl, 'nope').post(SELECT, { channel: 'email' })).status).toBe(401);
  });

  it('is in the OpenAPI document with its own operation id', async () => {
    const document = (await (await fetch(`${testApp.baseUrl}/api-json`)).json()) as any;
    const operation = document.paths[SELECT].post;
    expect(operation.operationId).toBe('IntegrationsController_selectIntegration');
    expect(Object.keys(operation.responses)).toContain('200');
    expect(document.components.schemas.IntegrationSelectionResponseDto.properties).toHaveProperty('candidates');
  });
});
