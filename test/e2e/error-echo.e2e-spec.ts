import { ApiClient, expectErrorShape } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { sendgridCredentials, sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';

/** Errors name what is wrong; they never repeat a secret or a long raw input back to the caller. */
describe('error bodies never echo secrets or raw input', () => {
  let testApp: TestApp;
  let key: string;
  let apiKey: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp();
    const org = await testApp.bootstrap();
    key = org.environments[0].apiKey;
    apiKey = ApiClient.apiKey(testApp.baseUrl, key);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function problems(body: unknown) {
    const response = await apiKey.post(ROUTE, body);
    const error = expectErrorShape(response, 422, ROUTE);
    return { errors: error.errors as Record<string, { messages: string[]; value?: unknown }>, text: JSON.stringify(response.body) };
  }

  it('a misspelled credentials key is named, its value is not echoed', async () => {
    const { errors, text } = await problems({ providerId: 'sendgrid', credentilas: { apiKey: sendgridCredentials.apiKey } });
    expect(errors.credentilas.messages.length).toBeGreaterThan(0);
    expect(errors.credentilas).not.toHaveProperty('value');
    expect(text).not.toContain(sendgridCredentials.apiKey);
  });

  it('an unknown key inside credentials is named without its value', async () => {
    const { errors, text } = await problems(sendgridPayload({ credentials: { apiKee: 'SG.typo-secret-value' } }));
    expect(errors['credentials.apiKee']).not.toHaveProperty('value');
    expect(text).not.toContain('SG.typo-secret-value');
  });

  it('a blank required credential (domain rule) is named without its value', async () => {
    const { errors } = await problems(sendgridPayload({ active: true, credentials: { ...sendgridCredentials, from: '   ' } }));
    expect(errors['credentials.from']).toEqual({ messages: [expect.stringContaining('credentials.from is required')] });
  });

  it('a 10 kB string is not echoed back', async () => {
    const { errors, text } = await problems(sendgridPayload({ name: `long-${'n'.repeat(10_000)}` }));
    expect(errors.name).not.toHaveProperty('value');
    expect(text.length).toBeLessThan(2_000);
  });

  it('a short, known, non-secret value is still echoed', async () => {
    const { errors, text } = await problems({ providerId: 'made-up-provider' });
    expect(errors.providerId.value).toBe('made-up-provider');
    expect(errors.providerId.messages.join(' ')).not.toContain('made-up-provider');
    expect(text).toContain('made-up-provider');
  });

  it('a long unknown providerId is neither echoed nor quoted in the message', async () => {
    const providerId = `p${'x'.repeat(200)}`;
    const { errors, text } = await problems({ providerId });
    expect(errors.providerId).not.toHaveProperty('value');
    expect(text).not.toContain('x'.repeat(50));
  });

  it('a key sent without its scheme is not echoed in the 401', async () => {
    const response = await apiKey.as(key).get(ROUTE);
    const error = expectErrorShape(response, 401, ROUTE);
    expect(error.message).toMatch(/^Invalid authentication scheme/);
    expect(JSON.stringify(response.body)).not.toContain(key);
  });

  it('a real scheme is still named in the 401', async () => {
    const response = await apiKey.as('Basic dXNlcjpwYXNz').get(ROUTE);
    expect(expectErrorShape(response, 401, ROUTE).message).toBe('Invalid authentication scheme: "Basic"');
  });
});
