import { MAX_ARRAY_LENGTH, MAX_BODY_NODES, MAX_KEY_LENGTH, MAX_OBJECT_KEYS, MAX_STRING_LENGTH } from '../../apps/api/src/http/body-shape';
import { randomBytes } from 'node:crypto';
import { ApiClient, expectErrorShape } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { condition, sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';

/**
 * Nothing a client sends may produce a 500 or corrupt stored data (docs/architecture.md "Rules for developers"): input that
 * PostgreSQL or the parser would choke on must be refused with a 4xx in the error shape.
 */
describe('hostile input never yields a 5xx', () => {
  let testApp: TestApp;
  let apiKey: ApiClient;
  let session: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp();
    const org = await testApp.bootstrap();
    apiKey = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    session = ApiClient.session(testApp.baseUrl, org.sessionToken);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const NUL = '\u0000';
  const cases: [string, Record<string, unknown>][] = [
    ['NUL in name', sendgridPayload({ name: `a${NUL}b` })],
    ['NUL in identifier', sendgridPayload({ identifier: `id${NUL}` })],
    ['NUL in a credential', sendgridPayload({ credentials: { apiKey: `k${NUL}` } })],
    ['NUL in configurations', sendgridPayload({ configurations: { configurationSetName: `s${NUL}` } })],
    [
      'NUL in a condition',
      sendgridPayload({ conditions: [condition({ children: [{ field: `f${NUL}`, value: 'v', operator: 'EQUAL', on: 'payload' }] })] }),
    ],
    ['NUL in a tlsOptions key', { providerId: 'nodemailer', credentials: { tlsOptions: { [`k${NUL}`]: 1 } } }],
    ['10 kB identifier', sendgridPayload({ identifier: 'x'.repeat(10_000) })],
    ['10 kB random identifier', sendgridPayload({ identifier: randomBytes(7_500).toString('base64') })],
    ['10 kB name', sendgridPayload({ name: 'n'.repeat(10_000) })],
    ['empty identifier', sendgridPayload({ identifier: '' })],
    ['empty name', sendgridPayload({ name: '' })],
    ['whitespace identifier', sendgridPayload({ identifier: '   ' })],
    ['null providerId', { providerId: null }],
    ['numeric providerId', { providerId: 5 }],
    ['object providerId', { providerId: { $ne: '' } }],
    ['null conditions item', sendgridPayload({ conditions: [null] })],
    ['null credentials', sendgridPayload({ credentials: null })],
    ['array credentials', sendgridPayload({ credentials: ['apiKey'] })],
    ['huge number in tlsOptions', { providerId: 'nodemailer', credentials: { tlsOptions: { n: 1e308 * 10 } } }],
    ['non-uuid _environmentId with SQL', sendgridPayload({ _environmentId: "' OR 1=1 --" })],
  ];

  it.each(cases)('%s → 4xx or 201, never 5xx', async (_label, body) => {
    const response = await session.post(ROUTE, body);
    expect({ status: response.status < 500 ? 'ok' : response.status, body: response.status < 500 ? undefined : response.body }).toEqual({
      status: 'ok',
      body: undefined,
    });
    if (response.status >= 400) expect(response.body.statusCode).toBe(response.status);
  });

  it.each([
    ['without', {}],
    ['with an idempotency key (fingerprinted before validation)', { 'idempotency-key': 'deep-body' }],
  ])('deeply nested JSON %s → 422', async (_label, extraHeaders) => {
    const depth = 100_000;
    const raw = `{"providerId":"sendgrid","credentials":{"tlsOptions":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const response = await apiKey.request('POST', ROUTE, { raw, headers: { 'Content-Type': 'application/json', ...extraHeaders } });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)[0]).toMatch(/^credentials\.tlsOptions(\.0)*$/);
  });

  it('NUL in the body of a keyed request → 422, and nothing is stored for the key', async () => {
    const response = await session.post(ROUTE, sendgridPayload({ name: `a${NUL}b` }), { 'idempotency-key': 'nul-body' });
    expect(response.status).toBe(422);
    const { n } = (
      await testApp.dataSource.query("SELECT count(*)::int AS n FROM idempotency_records WHERE idempotency_key = 'nul-body'")
    )[0];
    expect(n).toBe(0);
  });

  it('hostile path ids and headers → 4xx', async () => {
    for (const id of ['%00', '..%2f..%2f', 'x'.repeat(5000), '%E0%A4%A']) {
      const response = await apiKey.put(`${ROUTE}/${id}`, { name: 'x' });
      expect({ id, status: response.status >= 400 && response.status < 500 }).toEqual({ id, status: true });
    }
    const env = await session.get(ROUTE, { 'Novu-Environment-Id': "' OR 1=1 --" });
    expect(env.status).toBe(401);
    const key = await apiKey.post(ROUTE, sendgridPayload(), { 'idempotency-key': 'k'.repeat(256) });
    expect(key.status).toBe(400);
  });

  it.each([
    ['empty identifier', { identifier: '' }],
    ['blank name', { name: '   ' }],
    ['256-character identifier', { identifier: 'i'.repeat(256) }],
  ])('refuses a %s with 422 on that property', async (_label, override) => {
    const response = await session.post(ROUTE, sendgridPayload(override));
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual(Object.keys(override));
  });

  it('names the path of a NUL character and of too deep nesting', async () => {
    const nul = await session.post(
      ROUTE,
      sendgridPayload({ conditions: [condition({ children: [{ field: `f${NUL}`, value: 'v', operator: 'EQUAL', on: 'payload' }] })] }),
    );
    expect(nul.status).toBe(422);
    expect(Object.keys(nul.body.errors)).toEqual(['conditions.0.children.0.field']);
  });

  it('a refused request stores nothing', async () => {
    const before = (await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations'))[0].n;
    await session.post(ROUTE, sendgridPayload({ name: `a${NUL}b` }));
    const after = (await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations'))[0].n;
    expect(after).toBe(before);
  });

  describe('ill-formed text (lone UTF-16 surrogates, sent as JSON escapes) → 422 naming the property', () => {
    const LONE = '\ud800';
    it.each<[string, Record<string, unknown>, string]>([
      ['name', sendgridPayload({ name: `a${LONE}b` }), 'name'],
      ['identifier', sendgridPayload({ identifier: `id${LONE}` }), 'identifier'],
      ['configurations', sendgridPayload({ configurations: { configurationSetName: `s${LONE}` } }), 'configurations.configurationSetName'],
      [
        'conditions',
        sendgridPayload({ conditions: [condition({ children: [{ field: 'f', value: `v${LONE}`, operator: 'EQUAL', on: 'payload' }] })] }),
        'conditions.0.children.0.value',
      ],
      ['a credential', sendgridPayload({ credentials: { apiKey: `SG.${LONE}` } }), 'credentials.apiKey'],
      [
        'a tlsOptions value',
        { providerId: 'nodemailer', credentials: { tlsOptions: { servername: `h${LONE}` } } },
        'credentials.tlsOptions.servername',
      ],
      [
        'a tlsOptions key',
        { providerId: 'nodemailer', credentials: { tlsOptions: { [`k${LONE}`]: 1 } } },
        'credentials.tlsOptions.k\\ud800',
      ],
      ['a configurations key', sendgridPayload({ configurations: { [`\udc00`]: 1 } }), 'configurations.\\udc00'],
    ])('in %s', async (_label, body, path) => {
      const raw = JSON.stringify(body);
      expect(raw).toMatch(/\\ud[89a-f][0-9a-f]{2}/); // the escape travels, not a replacement character
      const response = await session.request('POST', ROUTE, { raw, headers: { 'Content-Type': 'application/json' } });
      expectErrorShape(response, 422, ROUTE);
      expect(Object.keys(response.body.errors)).toEqual([path]);
      expect(JSON.stringify(response.body).isWellFormed()).toBe(true);
    });

    it('on update too, and two names differing only in a lone surrogate never collide', async () => {
      const created = await session.post(ROUTE, sendgridPayload({ name: 'same' }));
      expect(created.status).toBe(201);
      const response = await session.put(`${ROUTE}/${created.body.data._id}`, { name: `same${LONE}` });
      expectErrorShape(response, 422, `${ROUTE}/${created.body.data._id}`);
      expect(Object.keys(response.body.errors)).toEqual(['name']);
    });
  });

  describe('body caps (before any framework transform)', () => {
    const tooMany = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

    it.each<[string, Record<string, unknown>, string]>([
      ['60,000 keys in credentials', sendgridPayload({ credentials: tooMany(60_000) }), 'credentials'],
      [
        'too many keys in tlsOptions',
        { providerId: 'nodemailer', credentials: { tlsOptions: tooMany(MAX_OBJECT_KEYS + 1) } },
        'credentials.tlsOptions',
      ],
      [
        'too many conditions',
        sendgridPayload({ conditions: Array.from({ length: MAX_ARRAY_LENGTH + 1 }, () => condition()) }),
        'conditions',
      ],
      [
        'a base URL too long',
        { providerId: 'mailgun', check: true, credentials: { apiKey: 'k', domain: 'd', baseUrl: `https://h${'/'.repeat(40_000)}a` } },
        'credentials.baseUrl',
      ],
      ['a name too long for any string', sendgridPayload({ name: 'n'.repeat(MAX_STRING_LENGTH + 1) }), 'name'],
      [
        'a tlsOptions key too long',
        { providerId: 'nodemailer', credentials: { tlsOptions: { ['k'.repeat(MAX_KEY_LENGTH + 1)]: 1 } } },
        'credentials.tlsOptions',
      ],
      [
        'a credential set too large',
        {
          providerId: 'nodemailer',
          credentials: { password: 'p'.repeat(MAX_STRING_LENGTH), tlsOptions: { ca: ['c'.repeat(MAX_STRING_LENGTH)] } },
        },
        'credentials',
      ],
    ])('%s → 422 naming the path, without echoing it', async (_label, body, path) => {
      const response = await session.post(ROUTE, body, { 'idempotency-key': `cap-${path}` });
      expectErrorShape(response, 422, ROUTE);
      expect(Object.keys(response.body.errors)).toEqual([path]);
      expect(JSON.stringify(response.body).length).toBeLessThan(1_000); // the value is not echoed
    });

    it('a body of more than MAX_BODY_NODES values → 413 in the error shape', async () => {
      const tlsOptions: Record<string, number[]> = {};
      for (let i = 0; i * MAX_ARRAY_LENGTH <= MAX_BODY_NODES; i++) tlsOptions[`a${i}`] = Array.from({ length: MAX_ARRAY_LENGTH }, () => 0);
      const response = await apiKey.post(
        ROUTE,
        { providerId: 'nodemailer', credentials: { tlsOptions } },
        { 'idempotency-key': 'many-nodes' },
      );
      expect(expectErrorShape(response, 413, ROUTE).message).toBe(`The request body holds more than ${MAX_BODY_NODES} JSON values`);
      const { n } = (
        await testApp.dataSource.query("SELECT count(*)::int AS n FROM idempotency_records WHERE idempotency_key = 'many-nodes'")
      )[0];
      expect(n).toBe(0);
    });

    it('accepts a real-sized credential set with tlsOptions at the caps of strings', async () => {
      const response = await session.post(ROUTE, {
        providerId: 'nodemailer',
        credentials: {
          host: 'smtp.example.com',
          port: '587',
          from: 'a@example.com',
          tlsOptions: { ca: ['c'.repeat(MAX_STRING_LENGTH)], servername: 'smtp.example.com' },
        },
      });
      expect(response.status).toBe(201);
    });
  });

  describe('keys named like Object.prototype members are refused like any unknown key', () => {
    const NAMES = ['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];

    it.each(NAMES)('%s at every depth of a create → 422 naming each path', async (name) => {
      const body = {
        ...sendgridPayload(),
        [name]: 'top',
        credentials: { apiKey: 'SG.key', [name]: 'SG.secret-value' },
        configurations: { [name]: true },
        conditions: [{ ...condition(), [name]: 1, children: [{ field: 'f', value: 'v', operator: 'EQUAL', on: 'payload', [name]: 'x' }] }],
      };
      const response = await session.post(ROUTE, body);
      expectErrorShape(response, 422, ROUTE);
      expect(Object.keys(response.body.errors).sort()).toEqual(
        [name, `credentials.${name}`, `configurations.${name}`, `conditions.0.${name}`, `conditions.0.children.0.${name}`].sort(),
      );
      expect(JSON.stringify(response.body)).not.toContain('SG.secret-value');
    });

    it.each(NAMES)('%s in an update → 422', async (name) => {
      const created = await session.post(ROUTE, sendgridPayload());
      expect(created.status).toBe(201);
      const path = `${ROUTE}/${created.body.data._id}`;
      const response = await session.put(path, { name: 'x', credentials: { [name]: 'v' } });
      expectErrorShape(response, 422, path);
      expect(Object.keys(response.body.errors)).toEqual([`credentials.${name}`]);
    });

    it('tlsOptions stays free-form, except for these names (class-transformer would drop them unseen) → 422', async () => {
      const free = await session.post(ROUTE, {
        providerId: 'nodemailer',
        credentials: { tlsOptions: { anything: 'x', deeper: { ciphers: 1 } } },
      });
      expect(free.status).toBe(201);
      expect(free.body.data.credentials.tlsOptions).toEqual({ anything: 'x', deeper: { ciphers: 1 } });
      const response = await session.post(ROUTE, {
        providerId: 'nodemailer',
        credentials: { tlsOptions: { toString: 'x', ok: { valueOf: 1 } } },
      });
      expectErrorShape(response, 422, ROUTE);
      expect(Object.keys(response.body.errors).sort()).toEqual(['credentials.tlsOptions.ok.valueOf', 'credentials.tlsOptions.toString']);
    });

    it.each([
      ['__proto__', '{"providerId":"sendgrid","credentials":{"__proto__":{"apiKey":"x"}}}'],
      ['constructor.prototype', '{"providerId":"sendgrid","configurations":{"constructor":{"prototype":{"x":1}}}}'],
    ])('%s stays a 400 from the JSON parser', async (_label, raw) => {
      const response = await session.request('POST', ROUTE, { raw, headers: { 'Content-Type': 'application/json' } });
      expectErrorShape(response, 400, ROUTE);
    });
  });
});
