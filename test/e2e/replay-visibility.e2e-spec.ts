import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { activeSmsPayload, sendgridCredentials, sendgridPayload, twilioCredentials } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';
const SIGNING_KEY = 'whsec-replay-signing-key-9f3a';

/**
 * An idempotent replay is answered to whoever sends the retry, and idempotency keys are scoped to
 * the organization (+ environment in the fingerprint), not to the caller kind: a session's keyed
 * create, retried with the same key and body by an API key of the same environment, is a replay.
 * The credential-visibility policy applies to the caller who receives the replay.
 */
describe('idempotent replays obey the credential-visibility policy (real HTTP + PostgreSQL)', () => {
  let testApp: TestApp;
  let counter = 0;
  const newKey = () => `replay-visibility-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function organization() {
    const org = await testApp.bootstrap();
    return {
      apiKeyAuthorization: `ApiKey ${org.environments[0].apiKey}`,
      apiKey: ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey),
      session: ApiClient.session(testApp.baseUrl, org.sessionToken),
    };
  }

  /** The exact bytes of a response (the ApiClient parses JSON; a leak must not hide in a detail it drops). */
  async function rawPost(authorization: string, path: string, body: unknown, key: string) {
    const response = await fetch(testApp.baseUrl + path, {
      method: 'POST',
      headers: {
        Authorization: authorization,
        'idempotency-key': key,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  function expectNoSecret(text: string, secrets: readonly string[]): void {
    for (const secret of secrets) expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
  }

  const createBody = sendgridPayload({
    name: 'replayed create',
    active: true,
    configurations: { inboundWebhookEnabled: true, inboundWebhookSigningKey: SIGNING_KEY },
  });
  const createSecrets = [...Object.values(sendgridCredentials), SIGNING_KEY];

  it("redacts a session's keyed create when an API key receives the replay", async () => {
    const org = await organization();
    const key = newKey();
    const first = await org.session.post(ROUTE, createBody, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(first.body.data.credentials).toEqual(sendgridCredentials);
    expect(first.body.data.configurations.inboundWebhookSigningKey).toBe(SIGNING_KEY);

    const replay = await rawPost(org.apiKeyAuthorization, ROUTE, createBody, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotency-replay')).toBe('true');
    expectNoSecret(replay.text, createSecrets);
    const body = JSON.parse(replay.text);
    expect(Object.keys(body)).toEqual(['data']);
    expect(body.data.credentials).toEqual({});
    expect(body.data.configurations).toEqual({ inboundWebhookEnabled: true });
    // Everything else is the stored answer: the same integration, not a second one.
    const { credentials: _c, configurations: _k, ...rest } = first.body.data;
    expect(body.data).toMatchObject(rest);
    const listed = await org.apiKey.get(ROUTE);
    expect(listed.body.data.map((i: { _id: string }) => i._id)).toEqual([first.body.data._id]);
  });

  it('still replays the values to the session caller who made the request', async () => {
    const org = await organization();
    const key = newKey();
    const first = await org.session.post(ROUTE, createBody, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    // The API key's replay in between must not change what is stored.
    expect((await rawPost(org.apiKeyAuthorization, ROUTE, createBody, key)).status).toBe(201);
    const replay = await org.session.post(ROUTE, createBody, { 'idempotency-key': key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotency-replay')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(replay.body.data.credentials).toEqual(sendgridCredentials);
    expect(replay.body.data.configurations.inboundWebhookSigningKey).toBe(SIGNING_KEY);
  });

  it("redacts a session's keyed set-primary when an API key receives the replay", async () => {
    const org = await organization();
    const a = await org.session.post(ROUTE, activeSmsPayload({ name: 'a' }));
    const b = await org.session.post(
      ROUTE,
      activeSmsPayload({ name: 'b', configurations: { inboundWebhookEnabled: true, inboundWebhookSigningKey: SIGNING_KEY } }),
    );
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.data.primary).toBe(false);
    const path = `${ROUTE}/${b.body.data._id}/set-primary`;
    const key = newKey();
    const first = await org.session.post(path, undefined, { 'idempotency-key': key });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ primary: true, credentials: twilioCredentials });
    expect(first.body.data.configurations.inboundWebhookSigningKey).toBe(SIGNING_KEY);

    const replay = await rawPost(org.apiKeyAuthorization, path, undefined, key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotency-replay')).toBe('true');
    expectNoSecret(replay.text, [...Object.values(twilioCredentials), SIGNING_KEY]);
    const body = JSON.parse(replay.text);
    expect(body.data).toMatchObject({
      _id: b.body.data._id,
      primary: true,
      credentials: {},
      configurations: { inboundWebhookEnabled: true },
    });
    expect(body.data.configurations).not.toHaveProperty('inboundWebhookSigningKey');

    const own = await org.session.post(path, undefined, { 'idempotency-key': key });
    expect(own.headers.get('idempotency-replay')).toBe('true');
    expect(own.body).toEqual(first.body);
  });
});
