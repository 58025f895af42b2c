import { startDraining } from '../../apps/api/src/http/connection-draining';
import { ApiClient, expectErrorShape } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';

/** A request that reaches an instance while it drains for shutdown gets a 503 in the error shape. */
describe('requests during shutdown', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('answers 503 with Retry-After and Connection: close once draining started', async () => {
    const org = await testApp.bootstrap();
    const client = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    expect((await client.get('/v1/integrations')).status).toBe(200);

    startDraining(testApp.app);
    const response = await client.get('/v1/integrations');
    expect(expectErrorShape(response, 503, '/v1/integrations').error).toBe('Service Unavailable');
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('connection')).toBe('close');
  });
});
