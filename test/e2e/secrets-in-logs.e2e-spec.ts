import { ApiClient } from '../support/api-client';
import { CapturedOutput } from '../support/captured-output';
import { startTestApp, TestApp } from '../support/test-app';
import { closedPort } from '../integration/verification/verification-fixtures';

const ROUTE = '/v1/integrations';
const SECRET = 'sk-live-0123456789-never-log-me';
const PASSWORD = 'hunter2-never-log-me';

/**
 * Credentials are never logged (docs/architecture.md "Rules for developers": Secrets): with every log level on, nothing the
 * service writes — on success, validation failures, a failed credentials check or an internal
 * error — contains a credential value.
 */
describe('secrets stay out of the logs', () => {
  let testApp: TestApp;
  let session: ApiClient;
  const output = new CapturedOutput();

  beforeAll(async () => {
    testApp = await startTestApp({
      logLevels: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
      outboundUrls: { allow: ['127.0.0.1'], refuseUnresolvable: false },
    });
    const org = await testApp.bootstrap();
    session = ApiClient.session(testApp.baseUrl, org.sessionToken);
    output.start();
  });

  afterAll(async () => {
    output.stop();
    await testApp?.close();
  });

  it('logs no credential value on any outcome', async () => {
    const credentials = { apiKey: SECRET, from: 'a@b.co', senderName: 'A' };
    expect((await session.post(ROUTE, { providerId: 'sendgrid', credentials })).status).toBe(201);
    expect((await session.post(ROUTE, { providerId: 'sendgrid', credentials: { ...credentials, unknownKey: SECRET } })).status).toBe(422);
    expect((await session.post(ROUTE, { providerId: 'sendgrid', active: true, credentials: { apiKey: SECRET } })).status).toBe(422);
    // A credentials check that fails: nothing listens on the SMTP port given.
    const smtp = { host: '127.0.0.1', port: String(await closedPort()), user: 'u', password: PASSWORD, from: 'a@b.co', senderName: 'A' };
    const check = await session.post(ROUTE, { providerId: 'nodemailer', check: true, credentials: smtp });
    expect(check.status).toBe(400);

    // An internal error while storing: a constraint the service does not know about → 500.
    const constraint = `test_refuse_secret_${process.pid}`;
    await testApp.dataSource.query(`ALTER TABLE integrations ADD CONSTRAINT ${constraint} CHECK (name <> 'explode') NOT VALID`);
    try {
      const failed = await session.post(ROUTE, { providerId: 'sendgrid', name: 'explode', credentials });
      expect(failed.status).toBe(500);
      expect(failed.body.errorId).toEqual(expect.any(String));
      expect(output.since()).toContain(failed.body.errorId);
      expect(Object.keys(failed.body).sort()).toEqual(['error', 'errorId', 'message', 'path', 'requestId', 'statusCode', 'timestamp']);
      expect(failed.body.message).toBe('Internal server error');
    } finally {
      await testApp.dataSource.query(`ALTER TABLE integrations DROP CONSTRAINT ${constraint}`);
    }

    const logs = output.since();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(PASSWORD);
  });
});
