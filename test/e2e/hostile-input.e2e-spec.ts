import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { condition, sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';

/**
 * Nothing a client sends may produce a 500 or corrupt stored data (DEVELOPERS.md): input that
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
    ['NUL in a condition', sendgridPayload({ conditions: [condition({ children: [{ field: `f${NUL}`, value: 'v', operator: 'EQUAL', on: 'payload' }] })] })],
    ['NUL in a tlsOptions key', { providerId: 'nodemailer', credentials: { tlsOptions: { [`k${NUL}`]: 1 } } }],
    ['lone surrogate in name', sendgridPayload({ name: 'a\ud800b' })],
    ['10 kB identifier', sendgridPayload({ identifier: 'x'.repeat(10_000) })],
    ['10 kB random identifier', sendgridPayload({ identifier: require('node:crypto').randomBytes(7_500).toString('base64') })],
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
    const { n } = (await testApp.dataSource.query("SELECT count(*)::int AS n FROM idempotency_records WHERE idempotency_key = 'nul-body'"))[0];
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
    const nul = await session.post(ROUTE, sendgridPayload({ conditions: [condition({ children: [{ field: `f${NUL}`, value: 'v', operator: 'EQUAL', on: 'payload' }] })] }));
    expect(nul.status).toBe(422);
    expect(Object.keys(nul.body.errors)).toEqual(['conditions.0.children.0.field']);
  });

  it('a refused request stores nothing', async () => {
    const before = (await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations'))[0].n;
    await session.post(ROUTE, sendgridPayload({ name: `a${NUL}b` }));
    const after = (await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations'))[0].n;
    expect(after).toBe(before);
  });
});
