import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Credentials, ProviderCatalog } from '@app/integrations';
import { HostResolver } from '@app/integrations/application/ports/host-resolver';
import { PROVIDER_VERIFIERS } from '@app/integrations/infrastructure/verification/provider-verifier.registry';
import { basic, buildVerifier, closedPort, failureOf, json, RecordedRequest, startHttpServer } from './verification-fixtures';

const GOOD = 'good-secret-0123456789';
const BAD = 'bad-secret-9876543210';

interface ProviderCase {
  readonly providerId: string;
  /** Credentials with the given secret. */
  readonly credentials: (secret: string) => Credentials;
  /** The exact request the verifier must send. */
  readonly method: string;
  readonly path: string;
  readonly header: string;
  readonly headerValue: (secret: string) => string;
  /** How the fake provider answers: accepted for GOOD, refused otherwise. */
  readonly answer: (req: RecordedRequest, accepted: boolean) => { status: number; body: unknown };
}

const plain =
  (ok: unknown, refused: unknown, status = 401) =>
  (_req: RecordedRequest, accepted: boolean) =>
    accepted ? { status: 200, body: ok } : { status, body: refused };

const cases: ProviderCase[] = [
  {
    providerId: 'sendgrid',
    credentials: (s) => ({ apiKey: s, from: 'a@example.com', senderName: 'A' }),
    method: 'GET',
    path: '/v3/scopes',
    header: 'authorization',
    headerValue: (s) => `Bearer ${s}`,
    answer: plain({ scopes: ['mail.send'] }, { errors: [{ message: 'The provided authorization grant is invalid' }] }),
  },
  {
    providerId: 'mailgun',
    credentials: (s) => ({ apiKey: s, user: 'api', domain: 'mg.example.com', from: 'a@example.com', senderName: 'A' }),
    method: 'GET',
    path: '/v3/domains/mg.example.com',
    header: 'authorization',
    headerValue: (s) => basic('api', s),
    answer: plain({ domain: { name: 'mg.example.com' } }, 'Forbidden'),
  },
  {
    providerId: 'postmark',
    credentials: (s) => ({ apiKey: s, from: 'a@example.com', senderName: 'A' }),
    method: 'GET',
    path: '/server',
    header: 'x-postmark-server-token',
    headerValue: (s) => s,
    answer: plain({ ID: 1, Name: 'Staging' }, { ErrorCode: 10, Message: 'Request does not contain a valid Server token.' }),
  },
  {
    providerId: 'resend',
    credentials: (s) => ({ apiKey: s, from: 'a@example.com', senderName: 'A' }),
    method: 'GET',
    path: '/domains',
    header: 'authorization',
    headerValue: (s) => `Bearer ${s}`,
    answer: plain({ data: [] }, { statusCode: 400, name: 'validation_error', message: 'API key is invalid' }, 400),
  },
  {
    providerId: 'sendinblue',
    credentials: (s) => ({ apiKey: s, from: 'a@example.com', senderName: 'A' }),
    method: 'GET',
    path: '/v3/account',
    header: 'api-key',
    headerValue: (s) => s,
    answer: plain({ email: 'a@example.com' }, { code: 'unauthorized', message: 'Key not found' }),
  },
  {
    providerId: 'twilio',
    credentials: (s) => ({ accountSid: 'AC0123456789abcdef0123456789abcdef', token: s, from: '+15550100' }),
    method: 'GET',
    path: '/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef.json',
    header: 'authorization',
    headerValue: (s) => basic('AC0123456789abcdef0123456789abcdef', s),
    answer: plain({ sid: 'AC0123456789abcdef0123456789abcdef', status: 'active' }, { code: 20003, message: 'Authenticate' }),
  },
  {
    providerId: 'telnyx',
    credentials: (s) => ({ apiKey: s, messageProfileId: '4001767e-ce0f-4cae-9d5f-0d5e636e7809', from: '+15550100' }),
    method: 'GET',
    path: '/v2/messaging_profiles/4001767e-ce0f-4cae-9d5f-0d5e636e7809',
    header: 'authorization',
    headerValue: (s) => `Bearer ${s}`,
    answer: plain(
      { data: { id: '4001767e-ce0f-4cae-9d5f-0d5e636e7809' } },
      { errors: [{ code: '10009', title: 'Authentication failed' }] },
    ),
  },
  {
    providerId: 'slack',
    credentials: (s) => ({ applicationId: 'A0123', clientId: '1234.5678', secretKey: s }),
    method: 'POST',
    path: '/api/oauth.v2.access',
    header: 'authorization',
    headerValue: (s) => basic('1234.5678', s),
    // Slack answers 200 either way; the error code tells
    answer: (_req, accepted) => ({ status: 200, body: { ok: false, error: accepted ? 'invalid_code' : 'bad_client_secret' } }),
  },
  {
    providerId: 'one-signal',
    credentials: (s) => ({ applicationId: '5eb5a37e-b458-11e3-ac11-000c2940e62c', apiKey: `os_v2_app_${s}` }),
    method: 'GET',
    path: '/notifications?app_id=5eb5a37e-b458-11e3-ac11-000c2940e62c&limit=1',
    header: 'authorization',
    headerValue: (s) => `Key os_v2_app_${s}`,
    answer: plain(
      { total_count: 0, offset: 0, limit: 1, notifications: [] },
      { errors: ["Access denied.  Please include an 'Authorization: ...' header with a valid API key"] },
      403,
    ),
  },
];

describe('HTTP provider credentials checks', () => {
  it('cover at least eight providers across email, sms, chat and push', () => {
    const ids = PROVIDER_VERIFIERS.flatMap((v) => v.providerIds).filter((id) => id !== 'nodemailer');
    expect(ids.length).toBeGreaterThanOrEqual(8);
    const channels = new Set(ids.map((id) => ProviderCatalog.find(id)?.channel));
    expect([...channels].sort()).toEqual(['chat', 'email', 'push', 'sms']);
    for (const id of ids) expect(ProviderCatalog.find(id)).toBeDefined();
  });

  describe.each(cases)('$providerId', (c) => {
    let server: Awaited<ReturnType<typeof startHttpServer>>;
    let verifier: ReturnType<typeof buildVerifier>;

    beforeAll(async () => {
      server = await startHttpServer((req, res) => {
        const accepted = req.headers[c.header] === c.headerValue(GOOD);
        const { status, body } = c.answer(req, accepted);
        json(res, status, body);
      });
      verifier = buildVerifier({ baseUrls: { [c.providerId]: server.url } });
    });
    afterAll(() => server.close());
    beforeEach(() => server.requests.splice(0));

    it('is supported', () => {
      expect(verifier.supports(c.providerId)).toBe(true);
    });

    it('resolves for a good key, sending exactly the documented request', async () => {
      await expect(verifier.verify(c.providerId, c.credentials(GOOD))).resolves.toBeUndefined();
      expect(server.requests).toHaveLength(1);
      const [req] = server.requests;
      expect(req.method).toBe(c.method);
      expect(req.url).toBe(c.path);
      expect(req.headers[c.header]).toBe(c.headerValue(GOOD));
      if (c.method === 'POST') expect(req.body).toBe('code=credentials-check');
    });

    it('rejects a bad key without echoing it', async () => {
      const failure = await failureOf(verifier.verify(c.providerId, c.credentials(BAD)));
      expect(failure.reason).toBe('rejected');
      expect(failure.message).not.toContain(BAD);
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('provider-specific answers', () => {
    let server: Awaited<ReturnType<typeof startHttpServer>>;
    let answer: { status: number; body: unknown; headers?: Record<string, string> };
    beforeAll(async () => {
      server = await startHttpServer((_req, res) => {
        if (answer.headers) res.writeHead(answer.status, answer.headers).end();
        else json(res, answer.status, answer.body);
      });
    });
    afterAll(() => server.close());
    beforeEach(() => server.requests.splice(0));

    const verifierFor = (providerId: string) => buildVerifier({ baseUrls: { [providerId]: server.url } });

    it('Resend: a sending-only key (401 restricted_api_key) is a valid key', async () => {
      answer = {
        status: 401,
        body: { statusCode: 401, name: 'restricted_api_key', message: 'This API key is restricted to only send emails' },
      };
      await expect(verifierFor('resend').verify('resend', { apiKey: 're_x' })).resolves.toBeUndefined();
    });

    it('Mailgun: an unknown domain is a rejection', async () => {
      answer = { status: 404, body: { message: 'Domain not found' } };
      const failure = await failureOf(verifierFor('mailgun').verify('mailgun', { apiKey: 'k', domain: 'nope.example.com' }));
      expect(failure).toMatchObject({ reason: 'rejected', message: 'Mailgun has no such domain (credentials.domain) for this API key' });
    });

    it("Mailgun: the integration's own baseUrl wins, and it is checked against the policy", async () => {
      answer = { status: 200, body: {} };
      const verifier = buildVerifier({ baseUrls: { mailgun: 'http://127.0.0.1:1' } });
      await verifier.verify('mailgun', { apiKey: 'k', domain: 'd.example.com', baseUrl: `${server.url}/eu` });
      expect(server.requests.map((r) => r.url)).toEqual(['/eu/v3/domains/d.example.com']);
      const refused = await failureOf(verifier.verify('mailgun', { apiKey: 'k', domain: 'd', baseUrl: 'http://10.0.0.1' }));
      expect(refused).toMatchObject({ reason: 'unreachable' });
      expect(refused.message).toContain('private address (10.0.0.0/8)');
    });

    it('Telnyx: an unknown messaging profile is a rejection', async () => {
      answer = { status: 404, body: { errors: [{ code: '10005', title: 'Resource not found' }] } };
      const failure = await failureOf(verifierFor('telnyx').verify('telnyx', { apiKey: 'k', messageProfileId: 'p-1' }));
      expect(failure).toMatchObject({
        reason: 'rejected',
        message: 'Telnyx has no such messaging profile (credentials.messageProfileId) for this API key',
      });
    });

    it('Twilio and OneSignal: an unknown account or app is a rejection that does not echo its id', async () => {
      answer = { status: 404, body: { code: 20404, message: 'The requested resource was not found' } };
      const twilio = await failureOf(verifierFor('twilio').verify('twilio', { accountSid: 'AC-echo-me-not', token: 't' }));
      expect(twilio).toMatchObject({
        reason: 'rejected',
        message: 'Twilio has no such account (credentials.accountSid) for these credentials',
      });
      answer = { status: 400, body: { errors: ['app_id not found'] } };
      const oneSignal = await failureOf(
        verifierFor('one-signal').verify('one-signal', { applicationId: 'app-echo-me-not', apiKey: 'os_v2_app_x' }),
      );
      expect(oneSignal.reason).toBe('rejected');
      expect(oneSignal.message).not.toContain('echo-me-not');
    });

    it('Slack: an unknown client id is a rejection; an unexpected error is not a yes', async () => {
      answer = { status: 200, body: { ok: false, error: 'invalid_client_id' } };
      const slack = verifierFor('slack');
      await expect(failureOf(slack.verify('slack', { clientId: 'x', secretKey: 'y' }))).resolves.toMatchObject({
        reason: 'rejected',
        message: 'Slack rejected the OAuth client credentials (invalid_client_id)',
      });
      answer = { status: 200, body: { ok: false, error: 'ratelimited' } };
      await expect(failureOf(slack.verify('slack', { clientId: 'x', secretKey: 'y' }))).resolves.toMatchObject({ reason: 'protocol' });
    });

    it('OneSignal: a legacy REST key is sent with the Basic scheme', async () => {
      answer = { status: 200, body: { notifications: [] } };
      await verifierFor('one-signal').verify('one-signal', {
        applicationId: 'app',
        apiKey: 'NGEwMGZmMjItY2NkNy0xMWUzLTk5ZDUtMDAwYzI5NDBlNjJj',
      });
      expect(server.requests[0].headers.authorization).toBe('Basic NGEwMGZmMjItY2NkNy0xMWUzLTk5ZDUtMDAwYzI5NDBlNjJj');
    });

    it('a redirect is not followed', async () => {
      answer = { status: 302, body: undefined, headers: { location: 'http://169.254.169.254/latest/meta-data' } };
      const failure = await failureOf(verifierFor('sendgrid').verify('sendgrid', { apiKey: 'k' }));
      expect(failure).toMatchObject({ reason: 'protocol' });
      expect(failure.message).toContain('redirect');
      expect(server.requests).toHaveLength(1);
    });

    it('a server error is neither yes nor no', async () => {
      answer = { status: 503, body: { error: 'down' } };
      const failure = await failureOf(verifierFor('postmark').verify('postmark', { apiKey: 'k' }));
      expect(failure).toMatchObject({
        reason: 'protocol',
        message: 'Postmark answered HTTP 503, which does not tell whether the credentials work',
      });
    });

    it('a missing credential is reported without calling the provider', async () => {
      const failure = await failureOf(verifierFor('twilio').verify('twilio', { accountSid: 'AC1' }));
      expect(failure).toMatchObject({ reason: 'rejected', message: 'credentials.token is required to check Twilio credentials' });
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('network failures', () => {
    it('times out when the provider accepts the request and never answers', async () => {
      const server = await startHttpServer(() => undefined);
      try {
        const verifier = buildVerifier({ timeoutMs: 500, baseUrls: { sendgrid: server.url } });
        const failure = await failureOf(verifier.verify('sendgrid', { apiKey: 'k' }));
        expect(failure.reason).toBe('timeout');
        expect(failure.message).toBe('SendGrid (127.0.0.1) did not answer within 500 ms');
      } finally {
        await server.close();
      }
    });

    it('is unreachable when nothing listens', async () => {
      const port = await closedPort();
      const verifier = buildVerifier({ baseUrls: { postmark: `http://127.0.0.1:${port}` } });
      const failure = await failureOf(verifier.verify('postmark', { apiKey: 'k' }));
      expect(failure).toMatchObject({ reason: 'unreachable', message: 'Postmark (127.0.0.1) is unreachable (ECONNREFUSED)' });
    });

    it("cannot resolve an unknown host (the reference's message)", async () => {
      const verifier = buildVerifier({ baseUrls: { resend: 'https://no-such-host.invalid' } });
      const failure = await failureOf(verifier.verify('resend', { apiKey: 'k' }));
      expect(failure).toMatchObject({
        reason: 'unreachable',
        message: "Provider gateway can't resolve the host with the given hostname no-such-host.invalid",
      });
    });

    it('does not call a base URL the policy refuses, whatever its spelling', async () => {
      const server = await startHttpServer((_req, res) => json(res, 200, {}));
      try {
        const port = new URL(server.url).port;
        for (const base of [`http://localhost:${port}`, `http://0x7f.0.0.2:${port}`, `http://[::ffff:127.0.0.2]:${port}`]) {
          const verifier = buildVerifier({ baseUrls: { sendgrid: base } });
          const failure = await failureOf(verifier.verify('sendgrid', { apiKey: 'k' }));
          expect(failure.reason).toBe('unreachable');
          expect(failure.message).toMatch(/points at a loopback address/);
        }
        expect(server.requests).toHaveLength(0);
      } finally {
        await server.close();
      }
    });

    it('connects to the address it checked, without asking DNS again', async () => {
      const server = await startHttpServer((_req, res) => json(res, 200, {}));
      try {
        const port = new URL(server.url).port;
        // only the policy's resolver knows this name; a second (system) lookup would fail with ENOTFOUND
        const resolver = new (class extends HostResolver {
          readonly asked: string[] = [];
          async resolve(name: string) {
            this.asked.push(name);
            return ['127.0.0.1'];
          }
        })();
        const verifier = buildVerifier({ resolver, baseUrls: { postmark: `http://api.provider.test:${port}` } });
        await verifier.verify('postmark', { apiKey: 'k' });
        expect(resolver.asked).toEqual(['api.provider.test']);
        expect(server.requests[0].headers.host).toBe(`api.provider.test:${port}`);
      } finally {
        await server.close();
      }
    });

    it('an allow-listed name is still connected through its checked addresses', async () => {
      const server = await startHttpServer((_req, res) => json(res, 200, {}));
      try {
        const port = new URL(server.url).port;
        // "localhost" is allowed by name here; the socket goes to the address the check resolved
        const verifier = buildVerifier({ allow: ['localhost'], baseUrls: { sendgrid: `http://localhost:${port}` } });
        await verifier.verify('sendgrid', { apiKey: 'k' });
        expect(server.requests[0].headers.host).toBe(`localhost:${port}`);
      } finally {
        await server.close();
      }
    });
  });

  it('docs/credential-checks.md lists exactly the catalog providers without a verifier', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'credential-checks.md'), 'utf8');
    const section = doc.split('<!-- unverified:start -->')[1].split('<!-- unverified:end -->')[0];
    const listed = [...section.matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort();
    const verified = new Set(PROVIDER_VERIFIERS.flatMap((v) => v.providerIds));
    const expected = ProviderCatalog.all()
      .map((p) => p.id)
      .filter((id) => !verified.has(id))
      .sort();
    expect(listed).toEqual(expected);
    const verifier = buildVerifier();
    for (const id of expected) expect(verifier.supports(id)).toBe(false);
    for (const id of verified) expect(doc).toContain(`| \`${id}\``);
  });

  it('providers without a verifier are not supported', () => {
    const verifier = buildVerifier();
    expect(verifier.supports('fcm')).toBe(false);
    expect(verifier.supports('mailjet')).toBe(false);
  });
});
