import { Novu } from '@novu/api';
import { ErrorDto, NovuError, ValidationErrorDto } from '@novu/api/models/errors';
import { startTestApp, TestApp } from '../support/test-app';
import { sendgridCredentials } from '../factories/integration-payloads';

/**
 * Wire compatibility proven by code we did not write: the official @novu/api SDK (npm), pointed at
 * our server with only its server URL and key changed, retries off. (The SDK speaks API keys only:
 * its hook prefixes every Authorization value with `ApiKey`, so session callers are tested over HTTP.)
 */
describe('official @novu/api SDK against this service', () => {
  let testApp: TestApp;
  let novu: Novu;
  let developmentId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    const org = await testApp.bootstrap('SDK Org');
    developmentId = org.environments[0].id;
    novu = new Novu({ secretKey: org.environments[0].apiKey, serverURL: testApp.baseUrl, retryConfig: { strategy: 'none' } });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function sdkError<T>(promise: Promise<unknown>, type: new (...args: any[]) => T): Promise<T> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(type);
    return error as T;
  }

  it('drives create → list → listActive → update → setAsPrimary → delete', async () => {
    const created = await novu.integrations.create({
      providerId: 'sendgrid',
      channel: 'email',
      name: 'SDK SendGrid',
      active: true,
      credentials: { ...sendgridCredentials },
    });
    expect(created.result).toMatchObject({
      environmentId: developmentId,
      name: 'SDK SendGrid',
      providerId: 'sendgrid',
      channel: 'email',
      active: true,
      primary: true,
      deleted: false,
    });
    expect(created.result.credentials).toBeUndefined();
    const firstId = created.result.id!;

    const second = await novu.integrations.create({ providerId: 'mailgun', channel: 'email', name: 'Backup' });
    const secondId = second.result.id!;

    const listed = await novu.integrations.list();
    expect(listed.result.map((i) => i.id).sort()).toEqual([firstId, secondId].sort());
    expect(listed.result.every((i) => JSON.stringify(i.credentials) === '{}')).toBe(true);

    const active = await novu.integrations.listActive();
    expect(active.result.map((i) => i.id)).toEqual([firstId]);

    const updated = await novu.integrations.update(
      {
        name: 'Backup Mailgun',
        active: true,
        credentials: { apiKey: 'mg-key', user: 'api', domain: 'mg.example.com', from: 'a@b.co', senderName: 'B' },
      },
      secondId,
    );
    expect(updated.result).toMatchObject({ id: secondId, name: 'Backup Mailgun', active: true, primary: false });

    const promoted = await novu.integrations.setAsPrimary(secondId);
    expect(promoted.result).toMatchObject({ id: secondId, primary: true, active: true });
    const afterPromotion = await novu.integrations.list();
    expect(afterPromotion.result.find((i) => i.id === firstId)).toMatchObject({ primary: false });

    const remaining = await novu.integrations.delete(firstId);
    expect(remaining.result.map((i) => i.id)).toEqual([secondId]);
  });

  it('surfaces 404 as ErrorDto where the SDK declares it (delete), and as a 404 NovuError elsewhere', async () => {
    const unknownId = '00000000-0000-4000-8000-000000000000';
    const deleteError = await sdkError(novu.integrations.delete(unknownId), ErrorDto);
    expect(deleteError.statusCode).toBe(404);
    // The SDK's setAsPrimary/update declare 404 as a plain failure (M.fail), not an ErrorDto.
    const primaryError = await sdkError(novu.integrations.setAsPrimary(unknownId), NovuError);
    expect(primaryError.statusCode).toBe(404);
  });

  it('surfaces a duplicate identifier as a 409 ErrorDto', async () => {
    await novu.integrations.create({ providerId: 'sendgrid', identifier: 'sdk-dup' });
    const error = await sdkError(novu.integrations.create({ providerId: 'sendgrid', identifier: 'sdk-dup' }), ErrorDto);
    expect(error.statusCode).toBe(409);
    expect(error.message).toContain('Integration with identifier already exists');
  });

  it('surfaces validation failures as ValidationErrorDto with the errors map', async () => {
    const error = await sdkError(novu.integrations.create({ providerId: 'sendgrid', channel: 'sms' }), ValidationErrorDto);
    expect(error.statusCode).toBe(422);
    expect(Object.keys(error.errors)).toEqual(['channel']);
  });
});
