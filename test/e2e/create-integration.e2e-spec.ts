import { createHmac } from 'node:crypto';
import catalogFile from '../../libs/integrations/src/domain/providers.json';
import { ApiClient, expectErrorShape, nullPaths } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { activeEmailPayload, activeSmsPayload, condition, sendgridPayload, smtpCredentials } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';

describe('POST /v1/integrations (real PostgreSQL, over HTTP)', () => {
  let testApp: TestApp;
  let apiKey: ApiClient;
  let session: ApiClient;
  let devEnvId: string;
  let prodEnvId: string;
  let foreignEnvId: string;
  let foreignApiKey: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    const org = await testApp.bootstrap('Acme');
    devEnvId = org.environments[0].id;
    prodEnvId = org.environments[1].id;
    apiKey = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    session = ApiClient.session(testApp.baseUrl, org.sessionToken);
    const other = await testApp.bootstrap('Other Org');
    foreignEnvId = other.environments[0].id;
    foreignApiKey = other.environments[0].apiKey;
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function created(client: ApiClient, body: Record<string, unknown>) {
    const response = await client.post(ROUTE, body);
    expect(response.status).toBe(201);
    return response.body.data;
  }

  describe('defaults and wire format', () => {
    it('answers 201 with exactly {data} and fills every default', async () => {
      const response = await apiKey.post(ROUTE, { providerId: 'sendgrid' });
      expect(response.status).toBe(201);
      expect(Object.keys(response.body)).toEqual(['data']);
      const data = response.body.data;
      expect(data).toEqual({
        _id: expect.any(String),
        _environmentId: devEnvId,
        _organizationId: expect.any(String),
        name: 'SendGrid',
        identifier: expect.stringMatching(/^send-grid-[A-Za-z0-9_-]{7}$/),
        providerId: 'sendgrid',
        channel: 'email',
        kind: 'delivery',
        active: false,
        deleted: false,
        primary: false,
        priority: 0,
        credentials: {},
        configurations: {},
        conditions: [],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(nullPaths(response.body)).toEqual([]);
      expect(new Date(data.createdAt).toISOString()).toBe(data.createdAt);
    });

    it('takes the channel from the catalog and names it after a given name', async () => {
      const data = await created(apiKey, { providerId: 'twilio', name: 'Main SMS' });
      expect(data).toMatchObject({ channel: 'sms', name: 'Main SMS' });
      expect(data.identifier).toMatch(/^main-sms-[A-Za-z0-9_-]{7}$/);
    });

    it('keeps a given identifier and configurations', async () => {
      const data = await created(apiKey, {
        providerId: 'sendgrid',
        identifier: 'explicit-identifier',
        configurations: { inboundWebhookEnabled: true, inboxCount: 'unread', configurationSetName: 'set-1' },
      });
      expect(data).toMatchObject({
        identifier: 'explicit-identifier',
        configurations: { inboundWebhookEnabled: true, inboxCount: 'unread', configurationSetName: 'set-1' },
      });
    });

    it('creates agent integrations without channel, never primary', async () => {
      const data = await created(session, {
        providerId: 'slack',
        kind: 'agent',
        active: true,
        credentials: { applicationId: 'A1', clientId: 'C1', secretKey: 'slack-secret' },
      });
      expect(data).toMatchObject({ kind: 'agent', primary: false, priority: 0, active: true });
      expect(data).not.toHaveProperty('channel');
    });
  });

  describe('credential visibility and storage', () => {
    it('gives API-key callers credentials: {} and no signing key, never the values', async () => {
      const response = await apiKey.post(
        ROUTE,
        sendgridPayload({ configurations: { inboundWebhookEnabled: true, inboundWebhookSigningKey: 'whsec-create-key' } }),
      );
      expect(response.status).toBe(201);
      expect(response.body.data.credentials).toEqual({});
      expect(response.body.data.configurations).toEqual({ inboundWebhookEnabled: true });
      expect(JSON.stringify(response.body)).not.toMatch(/SG\.super-secret-key|whsec-create-key/);
    });

    it('returns decrypted credentials with their types to session callers', async () => {
      const data = await created(session, { providerId: 'nodemailer', credentials: smtpCredentials });
      expect(data.credentials).toEqual(smtpCredentials);
      expect(typeof data.credentials.port).toBe('string');
      expect(typeof data.credentials.secure).toBe('boolean');
    });

    it('stores no plaintext credential or signing-key value in the table', async () => {
      const data = await created(session, {
        providerId: 'nodemailer',
        credentials: smtpCredentials,
        configurations: { inboundWebhookSigningKey: 'whsec-plaintext-signing-key' },
      });
      const rows = await testApp.dataSource.query('SELECT row_to_json(i)::text AS row FROM integrations i WHERE id = $1', [data._id]);
      expect(rows).toHaveLength(1);
      const stored: string = rows[0].row;
      for (const secret of ['smtp-secret-password', 'smtp-user', 'smtp.example.com', 'whsec-plaintext-signing-key', 'TLSv1.2']) {
        expect(stored).not.toContain(secret);
      }
      expect(stored).toContain(data.identifier);
    });
  });

  describe('validation (422 with the errors map)', () => {
    async function validationErrors(body: unknown, client = apiKey) {
      const response = await client.post(ROUTE, body);
      const error = expectErrorShape(response, 422, ROUTE);
      expect(error.message).toBe('Validation Error');
      expect(error.error).toBe('Unprocessable Entity');
      return error.errors as Record<string, { messages: string[]; value?: unknown }>;
    }

    it('requires providerId', async () => {
      expect(Object.keys(await validationErrors({ channel: 'email' }))).toContain('providerId');
    });

    it('rejects a provider that is not in the catalog', async () => {
      const errors = await validationErrors({ providerId: 'made-up-provider' });
      expect(errors.providerId.value).toBe('made-up-provider');
    });

    it('rejects a channel that does not match the provider', async () => {
      expect(Object.keys(await validationErrors({ providerId: 'sendgrid', channel: 'sms' }))).toEqual(['channel']);
    });

    it('rejects an unknown channel and kind', async () => {
      const errors = await validationErrors({ providerId: 'sendgrid', channel: 'fax', kind: 'robot' });
      expect(Object.keys(errors).sort()).toEqual(['channel', 'kind']);
    });

    it('lists each missing required credential of an active integration', async () => {
      const errors = await validationErrors({ providerId: 'sendgrid', active: true, credentials: { apiKey: 'x' } });
      expect(Object.keys(errors).sort()).toEqual(['credentials.from', 'credentials.senderName']);
    });

    it('names unknown top-level, credential and configuration keys', async () => {
      expect(Object.keys(await validationErrors(sendgridPayload({ colour: 'blue' })))).toContain('colour');
      expect(Object.keys(await validationErrors(sendgridPayload({ credentials: { apiKee: 'typo' } })))).toContain('credentials.apiKee');
      expect(Object.keys(await validationErrors(sendgridPayload({ configurations: { inbox: 'x' } })))).toContain('configurations.inbox');
    });

    it('checks value types', async () => {
      const errors = await validationErrors(
        sendgridPayload({ active: 'yes', name: 42, credentials: { apiKey: 7, secure: 'true', tlsOptions: 'x' } }),
      );
      expect(Object.keys(errors)).toEqual(
        expect.arrayContaining(['active', 'name', 'credentials.apiKey', 'credentials.secure', 'credentials.tlsOptions']),
      );
    });

    it('accepts well-formed conditions and returns them', async () => {
      const conditions = [
        condition(),
        condition({
          isNegated: true,
          value: 'OR',
          type: 'GROUP',
          children: [{ field: 'plan', value: 'x', operator: 'IS_DEFINED', on: 'tenant' }],
        }),
      ];
      const data = await created(apiKey, sendgridPayload({ conditions }));
      expect(data.conditions).toEqual(conditions);
    });

    it('validates conditions deeply with dotted property paths', async () => {
      const errors = await validationErrors(
        sendgridPayload({
          conditions: [
            condition({ value: 'XOR' }),
            condition({ children: [{ field: 'tier', value: 'pro', operator: 'ROUGHLY', on: 'subscriber' }] }),
            condition({ children: [{ field: 'tier', value: 'pro', operator: 'EQUAL', on: 'moon' }] }),
          ],
        }),
      );
      expect(Object.keys(errors)).toEqual(
        expect.arrayContaining(['conditions.0.value', 'conditions.1.children.0.operator', 'conditions.2.children.0.on']),
      );
      expect(errors['conditions.1.children.0.operator'].messages.length).toBeGreaterThan(0);
    });

    it('rejects conditions that are not an array of objects', async () => {
      expect(Object.keys(await validationErrors(sendgridPayload({ conditions: 'all' })))).toContain('conditions');
      expect(Object.keys(await validationErrors(sendgridPayload({ conditions: [condition({ children: 'none' })] })))).toContain(
        'conditions.0.children',
      );
    });

    it('refuses outbound URLs that point inside the network, saving nothing', async () => {
      const before = await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations');
      const errors = await validationErrors({
        providerId: 'push-webhook',
        credentials: { webhookUrl: 'http://169.254.169.254/latest/meta-data', secretKey: 's' },
      });
      expect(Object.keys(errors)).toEqual(['credentials.webhookUrl']);
      expect(errors['credentials.webhookUrl'].messages.join(' ')).toMatch(/metadata|link-local/i);
      const after = await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations');
      expect(after[0].n).toBe(before[0].n);
    });

    it.each([[[]], ['"text"'], [42], [null]])('answers 4xx, not 500, for the non-object body %p', async (body) => {
      const response = await apiKey.request('POST', ROUTE, { raw: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
      expect([400, 422]).toContain(response.status);
      expect(response.body.statusCode).toBe(response.status);
    });
  });

  describe('malformed requests', () => {
    it('answers 400 to malformed JSON', async () => {
      const response = await apiKey.request('POST', ROUTE, { raw: '{"providerId": ', headers: { 'Content-Type': 'application/json' } });
      expect(expectErrorShape(response, 400, ROUTE).error).toBe('Bad Request');
    });

    it('answers 413 to a body over the limit', async () => {
      const huge = 'x'.repeat(testApp.config.bodyLimitBytes + 10);
      const response = await apiKey.post(ROUTE, sendgridPayload({ name: huge }));
      expect(expectErrorShape(response, 413, ROUTE).error).toBe('Payload Too Large');
    });

    it('answers 415 to a wrong content type', async () => {
      const response = await apiKey.request('POST', ROUTE, { raw: 'providerId=sendgrid', headers: { 'Content-Type': 'text/csv' } });
      expectErrorShape(response, 415, ROUTE);
    });

    it('answers 400 to prototype-pollution keys', async () => {
      const response = await apiKey.request('POST', ROUTE, {
        raw: '{"providerId":"sendgrid","__proto__":{"admin":true}}',
        headers: { 'Content-Type': 'application/json' },
      });
      expectErrorShape(response, 400, ROUTE);
    });
  });

  describe('Novu demo providers', () => {
    it('allows only one novu in-app integration per environment', async () => {
      await created(session, { providerId: 'novu', _environmentId: prodEnvId });
      const response = await session.post(ROUTE, { providerId: 'novu', _environmentId: prodEnvId });
      expect(expectErrorShape(response, 400, ROUTE).message).toBe('One environment can only have one In app provider');
    });

    it('refuses novu-email and novu-sms when the server has no demo credentials', async () => {
      for (const providerId of ['novu-email', 'novu-sms']) {
        const response = await apiKey.post(ROUTE, { providerId });
        expect(expectErrorShape(response, 400, ROUTE).message).toBe(`Creating Novu integration for ${providerId} provider is not allowed`);
      }
    });

    it('allows one novu-email per environment when the server is configured for it', async () => {
      const configured = await startTestApp({ novuDemoProviders: { email: true, sms: true } });
      try {
        const org = await configured.bootstrap();
        const client = ApiClient.apiKey(configured.baseUrl, org.environments[0].apiKey);
        expect((await client.post(ROUTE, { providerId: 'novu-email' })).status).toBe(201);
        const second = await client.post(ROUTE, { providerId: 'novu-email' });
        expect(expectErrorShape(second, 409, ROUTE).message).toBe('Integration with novu provider for email channel already exists');
      } finally {
        await configured.close();
      }
    });
  });

  describe('identifier uniqueness', () => {
    it('answers 409 for a taken identifier and allows it in another environment', async () => {
      await created(apiKey, sendgridPayload({ identifier: 'shared-id' }));
      const response = await apiKey.post(ROUTE, sendgridPayload({ identifier: 'shared-id' }));
      expect(expectErrorShape(response, 409, ROUTE)).toMatchObject({
        message: 'Integration with identifier already exists',
        error: 'Conflict',
      });
      await created(session, sendgridPayload({ identifier: 'shared-id', _environmentId: prodEnvId }));
    });
  });

  describe('primary and priority (each case of docs/contract.md §3)', () => {
    let channelClient: ApiClient;

    beforeEach(async () => {
      // A fresh organization per case, so cases do not see each other's integrations.
      const org = await testApp.bootstrap();
      channelClient = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    });

    async function integrationState(id: string) {
      const [row] = await testApp.dataSource.query('SELECT * FROM integrations WHERE id = $1', [id]);
      return { primary: row.primary ?? row.is_primary, priority: row.priority };
    }

    it('no active integration yet → primary with priority 1', async () => {
      expect(await created(channelClient, activeEmailPayload())).toMatchObject({ primary: true, priority: 1 });
    });

    it('highest is primary → newcomer takes its priority; the primary moves up by one', async () => {
      const first = await created(channelClient, activeEmailPayload());
      const second = await created(channelClient, activeEmailPayload());
      expect(second).toMatchObject({ primary: false, priority: 1 });
      expect(await integrationState(first._id)).toEqual({ primary: true, priority: 2 });
    });

    it('highest is not primary → newcomer goes above it as primary', async () => {
      const first = await created(channelClient, activeEmailPayload());
      await testApp.dataSource.query('UPDATE integrations SET ' + (await primaryColumn()) + ' = false WHERE id = $1', [first._id]);
      const second = await created(channelClient, activeEmailPayload());
      expect(second).toMatchObject({ primary: true, priority: 2 });
      expect(await integrationState(first._id)).toEqual({ primary: false, priority: 1 });
    });

    it('inactive integrations → primary false, priority 0', async () => {
      await created(channelClient, activeEmailPayload());
      expect(await created(channelClient, sendgridPayload())).toMatchObject({ primary: false, priority: 0 });
    });

    it('channels other than email/sms → primary false, priority 0', async () => {
      expect(await created(channelClient, { providerId: 'discord', active: true })).toMatchObject({ primary: false, priority: 0 });
      expect(await created(channelClient, { providerId: 'expo', active: true, credentials: { apiKey: 'k' } })).toMatchObject({
        primary: false,
        priority: 0,
      });
    });

    it('keeps email and sms orderings apart', async () => {
      await created(channelClient, activeEmailPayload());
      expect(await created(channelClient, activeSmsPayload())).toMatchObject({ primary: true, priority: 1 });
    });

    async function primaryColumn(): Promise<string> {
      const columns = await testApp.dataSource.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'integrations' AND column_name IN ('primary', 'is_primary')",
      );
      return `"${columns[0].column_name}"`;
    }
  });

  describe('authentication (401 messages of docs/contract.md §2)', () => {
    async function unauthorized(authorization: string | undefined, message: string, headers: Record<string, string> = {}) {
      const response = await apiKey.as(authorization).post(ROUTE, sendgridPayload(), headers);
      expect(expectErrorShape(response, 401, ROUTE)).toMatchObject({ message, error: 'Unauthorized' });
    }

    it('no header', () => unauthorized(undefined, 'Missing authorization header'));
    it('unknown scheme', () => unauthorized('Basic dXNlcjpwYXNz', 'Invalid authentication scheme: "Basic"'));
    it('empty API key', () => unauthorized('ApiKey ', 'Unauthorized'));
    it('unknown API key', () => unauthorized('ApiKey 0123456789abcdef', 'API Key not found'));
    it('garbage token', () => unauthorized('Bearer not.a.jwt', 'Unauthorized'));

    it('tampered token', async () => {
      const org = await testApp.bootstrap();
      const [header, payload, signature] = org.sessionToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, org: 'someone-else' })).toString('base64url');
      await unauthorized(`Bearer ${header}.${forged}.${signature}`, 'Unauthorized');
    });

    it('alg none token', async () => {
      const org = await testApp.bootstrap();
      const [, payload] = org.sessionToken.split('.');
      const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      await unauthorized(`Bearer ${none}.${payload}.`, 'Unauthorized');
    });

    it('expired token signed with the right secret', async () => {
      const org = await testApp.bootstrap();
      const [header, payload] = org.sessionToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const expired = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 })).toString('base64url');
      const signature = createHmac('sha256', testApp.config.jwtSecret).update(`${header}.${expired}`).digest('base64url');
      await unauthorized(`Bearer ${header}.${expired}.${signature}`, 'Unauthorized');
    });

    it('session environment outside the organization', async () => {
      const org = await testApp.bootstrap();
      await unauthorized(`Bearer ${org.sessionToken}`, 'Cannot find environment', { 'Novu-Environment-Id': foreignEnvId });
    });
  });

  describe('environment scope', () => {
    it('403 for an API key targeting another environment of its organization', async () => {
      const response = await apiKey.post(ROUTE, sendgridPayload({ _environmentId: prodEnvId }));
      expectErrorShape(response, 403, ROUTE);
    });

    it('403 for an API key targeting another organization', async () => {
      const response = await ApiClient.apiKey(testApp.baseUrl, foreignApiKey).post(ROUTE, sendgridPayload({ _environmentId: devEnvId }));
      expectErrorShape(response, 403, ROUTE);
    });

    it('404 for a session targeting an environment outside its organization', async () => {
      const response = await session.post(ROUTE, sendgridPayload({ _environmentId: foreignEnvId }));
      expect(expectErrorShape(response, 404, ROUTE).message).toBe(`Environment with id ${foreignEnvId} not found`);
    });

    it('404 (not 500) for a session targeting a malformed environment id', async () => {
      const response = await session.post(ROUTE, sendgridPayload({ _environmentId: 'not-a-uuid' }));
      expectErrorShape(response, 404, ROUTE);
    });

    it('uses Novu-Environment-Id for session callers', async () => {
      const data = await session.post(ROUTE, sendgridPayload(), { 'Novu-Environment-Id': prodEnvId }).then((r) => r.body.data);
      expect(data._environmentId).toBe(prodEnvId);
    });

    it('API-key callers default to their own environment', async () => {
      expect((await created(apiKey, sendgridPayload()))._environmentId).toBe(devEnvId);
    });
  });

  it('never answers with an internal error for the credentials of every catalog provider', async () => {
    const catalog = catalogFile as {
      providers: { id: string; required: string[] }[];
    };
    const urlKeys = ['baseUrl', 'webhookUrl', 'redirectUrl', 'apiURL', 'AppIOBaseUrl'];
    for (const provider of catalog.providers.filter((p) => !p.id.startsWith('novu'))) {
      const credentials = Object.fromEntries(
        provider.required.map((key) => [key, urlKeys.includes(key) ? `https://${key.toLowerCase()}.example.com/v1` : `value-${key}`]),
      );
      const response = await session.post(ROUTE, { providerId: provider.id, credentials, _environmentId: prodEnvId });
      expect({ provider: provider.id, status: response.status }).toEqual({ provider: provider.id, status: 201 });
    }
  });
});
