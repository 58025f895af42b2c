import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { ApiClient, expectErrorShape } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { startHttpServer, json } from '../integration/verification/verification-fixtures';

const ROUTE = '/v1/integrations';
const SMTP_USER = 'mailer';
const SMTP_PASSWORD = 'correct-horse-battery';
const GOOD_SENDGRID_KEY = 'SG.good-key';

/**
 * `check: true` and outbound URL safety through the whole service (docs/contract.md §3 step 5, §6): a real SMTP
 * server and a fake SendGrid API on loopback, which the test configuration allow-lists.
 */
describe('credential checks and outbound URL safety over HTTP', () => {
  let testApp: TestApp;
  let client: ApiClient;
  let session: ApiClient;
  let smtp: SMTPServer;
  let smtpPort: number;
  let sendgrid: Awaited<ReturnType<typeof startHttpServer>>;

  beforeAll(async () => {
    smtp = new SMTPServer({
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
        return callback(new Error('Invalid username or password'));
      },
    });
    smtp.on('error', () => undefined);
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;

    sendgrid = await startHttpServer((req, res) =>
      req.headers.authorization === `Bearer ${GOOD_SENDGRID_KEY}`
        ? json(res, 200, { scopes: ['mail.send'] })
        : json(res, 401, { errors: [{ message: 'The provided authorization grant is invalid' }] }),
    );

    testApp = await startTestApp({
      outboundUrls: { allow: ['127.0.0.1'], refuseUnresolvable: false },
      credentialsCheck: { timeoutMs: 3000, baseUrls: { sendgrid: sendgrid.url } },
    });
    const org = await testApp.bootstrap();
    client = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    session = ApiClient.session(testApp.baseUrl, org.sessionToken);
  });

  afterAll(async () => {
    await testApp?.close();
    await sendgrid?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  const count = async () => (await testApp.dataSource.query('SELECT count(*)::int AS n FROM integrations'))[0].n as number;
  const smtpCredentials = (password: string) => ({
    host: '127.0.0.1',
    port: String(smtpPort),
    user: SMTP_USER,
    password,
    requireTls: true,
    tlsOptions: { rejectUnauthorized: false },
    from: 'ops@example.com',
    senderName: 'Ops',
  });

  it('saves a custom SMTP integration after a real handshake and login, and says so in a header', async () => {
    const response = await client.post(ROUTE, { providerId: 'nodemailer', check: true, credentials: smtpCredentials(SMTP_PASSWORD) });
    expect(response.status).toBe(201);
    expect(response.headers.get('novu-credentials-check')).toBe('verified');
  });

  it('answers 400 for a refused SMTP login, saves nothing and echoes no secret', async () => {
    const before = await count();
    const response = await client.post(ROUTE, { providerId: 'nodemailer', check: true, credentials: smtpCredentials('wrong-password') });
    const error = expectErrorShape(response, 400, ROUTE);
    expect(error.message).toMatch(/login|auth|credential/i);
    expect(JSON.stringify(error)).not.toContain('wrong-password');
    expect(await count()).toBe(before);
  });

  it('verifies a SendGrid key with one authenticated read-only request', async () => {
    const good = await client.post(ROUTE, {
      providerId: 'sendgrid',
      check: true,
      credentials: { apiKey: GOOD_SENDGRID_KEY, from: 'a@b.co', senderName: 'A' },
    });
    expect(good.status).toBe(201);
    expect(good.headers.get('novu-credentials-check')).toBe('verified');
    const request = sendgrid.requests.at(-1)!;
    expect([request.method, request.url, request.headers.authorization]).toEqual(['GET', '/v3/scopes', `Bearer ${GOOD_SENDGRID_KEY}`]);

    const before = await count();
    const bad = await client.post(ROUTE, { providerId: 'sendgrid', check: true, credentials: { apiKey: 'SG.revoked' } });
    expect(expectErrorShape(bad, 400, ROUTE).message).not.toContain('SG.revoked');
    expect(await count()).toBe(before);
  });

  it.each([
    ['an emoji', 'SG.key-\u{1F4A5}'],
    ['a line break', 'SG.key\r\nX-Injected: 1'],
    ['a character above U+00FF', 'SG.key-\u20AC'],
  ])('answers 400, not 500, for a credential with %s that no HTTP header can carry', async (_label, apiKey) => {
    const before = await count();
    const body = { providerId: 'sendgrid', check: true, credentials: { apiKey, from: 'ops@example.com', senderName: 'Ops' } };
    const response = await client.post(ROUTE, body);
    const error = expectErrorShape(response, 400, ROUTE);
    expect(error.message).toMatch(/cannot be sent in an HTTP header/);
    expect(JSON.stringify(error)).not.toContain(apiKey);
    expect(await count()).toBe(before);
  });

  it('skips the check for agent integrations (contract §3 kind), saving them unchecked and saying so', async () => {
    // slack has a verifier for delivery integrations, which would call slack.com (unreachable here: a 400)
    const body = { providerId: 'slack', kind: 'agent', check: true, credentials: { clientId: 'c-1', secretKey: 's-1' } };
    const created = await client.post(ROUTE, body);
    expect(created.status).toBe(201);
    expect(created.headers.get('novu-credentials-check')).toBe('unsupported');
    const updated = await client.put(`${ROUTE}/${created.body.data._id}`, { check: true, name: 'Agent Slack' });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('novu-credentials-check')).toBe('unsupported');
  });

  it('saves providers without a verifier unchecked, and says so', async () => {
    const response = await client.post(ROUTE, { providerId: 'fcm', check: true, credentials: { serviceAccount: '{}' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('novu-credentials-check')).toBe('unsupported');
    const unchecked = await client.post(ROUTE, { providerId: 'fcm' });
    expect(unchecked.headers.get('novu-credentials-check')).toBeNull();
  });

  it('checks on update too: a rejected key leaves the stored credentials as they were', async () => {
    const created = await session.post(ROUTE, { providerId: 'sendgrid', credentials: { apiKey: GOOD_SENDGRID_KEY } });
    const path = `${ROUTE}/${created.body.data._id}`;
    const refused = await session.put(path, { check: true, credentials: { apiKey: 'SG.revoked' } });
    expectErrorShape(refused, 400, path);
    const listed = await session.get(ROUTE);
    expect(listed.body.data.find((i: any) => i._id === created.body.data._id).credentials).toEqual({ apiKey: GOOD_SENDGRID_KEY });
    const accepted = await session.put(path, { check: true });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('novu-credentials-check')).toBe('verified');
  });

  it('refuses internal outbound URLs on create and update with 422 naming the property', async () => {
    const refused = await client.post(ROUTE, {
      providerId: 'generic-sms',
      credentials: { baseUrl: 'http://10.1.2.3/send', apiKeyRequestHeader: 'X-Key', apiKey: 'k', idPath: 'id', from: 'me' },
    });
    expect(Object.keys(expectErrorShape(refused, 422, ROUTE).errors)).toEqual(['credentials.baseUrl']);

    const created = await client.post(ROUTE, {
      providerId: 'push-webhook',
      credentials: { webhookUrl: 'https://hooks.example.com/x', secretKey: 's' },
    });
    expect(created.status).toBe(201);
    const path = `${ROUTE}/${created.body.data._id}`;
    const update = await client.put(path, { credentials: { webhookUrl: 'http://[::ffff:127.0.0.2]/', secretKey: 's' } });
    expect(Object.keys(expectErrorShape(update, 422, path).errors)).toEqual(['credentials.webhookUrl']);
  });

  // One case per key the policy covers since the per-provider audit: each refused on create and on
  // update, named by its path, its value not echoed, nothing stored or changed.
  const newlyCovered: [label: string, providerId: string, good: Record<string, string>, key: string, bad: string][] = [
    [
      'generic-sms auth URL (domain) at the metadata address',
      'generic-sms',
      { domain: 'https://auth.example.com/token' },
      'domain',
      'http://169.254.169.254/latest/meta-data/',
    ],
    ['sinch region spliced into its API host', 'sinch', { region: 'eu' }, 'region', '169.254.169.254/#'],
    ['SES region spliced into the AWS endpoint', 'ses', { region: 'eu-west-1' }, 'region', '169.254.169.254'],
    [
      'Pusher Beams instance id spliced into its host',
      'pusher-beams',
      { instanceId: '8f9a6e22-2483-49aa-8552-125f1a4c5781' },
      'instanceId',
      '169.254.169.254/#',
    ],
    [
      'Azure connection string endpoint',
      'azure-sms',
      { accessKey: 'endpoint=https://acme.communication.azure.com/;accesskey=c2VjcmV0' },
      'accessKey',
      'endpoint=http://169.254.169.254/;accesskey=c2VjcmV0',
    ],
  ];

  it.each(newlyCovered)('refuses the %s on create and update', async (_label, providerId, good, key, bad) => {
    const rows = () => testApp.dataSource.query('SELECT * FROM integrations ORDER BY id');
    const before = await rows();
    const refused = await client.post(ROUTE, { providerId, credentials: { ...good, [key]: bad } });
    const createError = expectErrorShape(refused, 422, ROUTE);
    expect(Object.keys(createError.errors)).toEqual([`credentials.${key}`]);
    expect(createError.errors[`credentials.${key}`]).not.toHaveProperty('value');
    expect(JSON.stringify(createError)).not.toContain(bad);
    expect(await rows()).toEqual(before);

    const created = await client.post(ROUTE, { providerId, credentials: good });
    expect(created.status).toBe(201);
    const path = `${ROUTE}/${created.body.data._id}`;
    const stored = await rows();
    const update = await client.put(path, { credentials: { ...good, [key]: bad } });
    const updateError = expectErrorShape(update, 422, path);
    expect(Object.keys(updateError.errors)).toEqual([`credentials.${key}`]);
    expect(JSON.stringify(updateError)).not.toContain(bad);
    expect(await rows()).toEqual(stored);
  });

  it("keeps Mailgun's domain a sending domain, not an address", async () => {
    const response = await client.post(ROUTE, { providerId: 'mailgun', credentials: { domain: '169.254.169.254' } });
    expect(response.status).toBe(201);
  });
});
