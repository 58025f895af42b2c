import { readFileSync } from 'node:fs';
import * as latest from '@novu/api';
import * as latestErrors from '@novu/api/models/errors';
import * as release311 from 'novu-api-3-11';
import * as release311Errors from 'novu-api-3-11/models/errors';
import * as release315 from 'novu-api-3-15';
import * as release315Errors from 'novu-api-3-15/models/errors';
import { startTestApp, TestApp } from '../support/test-app';
import { sendgridCredentials } from '../factories/integration-payloads';

/**
 * One released @novu/api, as installed (package.json devDependencies, npm aliases). Every release
 * keeps `Novu` at the package root and the error classes in `models/errors`. The checks below use
 * the latest release's types for all of them: the methods they call have the same signatures in
 * each release, and what differs (3.11–3.15 declare `credentials` required on the response) is
 * exactly what runs at run time through each release's own response validation.
 */
interface SdkRelease {
  readonly packageName: string;
  readonly version: string;
  readonly Novu: typeof latest.Novu;
  readonly errors: {
    readonly ErrorDto: typeof latestErrors.ErrorDto;
    readonly NovuError: typeof latestErrors.NovuError;
    readonly ValidationErrorDto: typeof latestErrors.ValidationErrorDto;
  };
}

function release(packageName: string, version: string, root: unknown, errors: unknown): SdkRelease {
  return {
    packageName,
    version,
    Novu: (root as typeof latest).Novu,
    errors: errors as SdkRelease['errors'],
  };
}

function installedVersion(packageName: string): string {
  return JSON.parse(readFileSync(require.resolve(`${packageName}/package.json`), 'utf8')).version;
}

const RELEASES: SdkRelease[] = [
  release('novu-api-3-11', '3.11.0', release311, release311Errors),
  release('novu-api-3-15', '3.15.0', release315, release315Errors),
  release('@novu/api', installedVersion('@novu/api'), latest, latestErrors),
];

/**
 * Wire compatibility proven by code we did not write: released @novu/api SDKs (npm), pointed at
 * our server with only their server URL and key changed, retries off, every release passing the
 * same checks. (The SDK speaks API keys only: its hook prefixes every Authorization value with
 * `ApiKey`, so session callers are tested over HTTP.)
 */
describe('released @novu/api SDKs against this service', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  describe.each(RELEASES)('$packageName ($version)', (sdk) => {
    let novu: latest.Novu;
    let developmentId: string;
    let apiKey: string;

    beforeAll(async () => {
      const org = await testApp.bootstrap(`SDK Org ${sdk.version}`);
      developmentId = org.environments[0].id;
      apiKey = org.environments[0].apiKey;
      novu = new sdk.Novu({ secretKey: apiKey, serverURL: testApp.baseUrl, retryConfig: { strategy: 'none' } });
    });

    async function sdkError<T>(promise: Promise<unknown>, type: new (...args: any[]) => T): Promise<T> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(type);
      return error as T;
    }

    it('is the release the alias names', () => {
      expect(installedVersion(sdk.packageName)).toBe(sdk.version);
    });

    it('drives create → list → listActive → update → setAsPrimary → delete, with credentials: {} on every answer', async () => {
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
        credentials: {},
      });
      const firstId = created.result.id!;

      const second = await novu.integrations.create({ providerId: 'mailgun', channel: 'email', name: 'Backup' });
      expect(second.result.credentials).toEqual({});
      const secondId = second.result.id!;

      const listed = await novu.integrations.list();
      expect(listed.result.map((i) => i.id).sort()).toEqual([firstId, secondId].sort());
      expect(listed.result.map((i) => i.credentials)).toEqual([{}, {}]);

      const active = await novu.integrations.listActive();
      expect(active.result.map((i) => i.id)).toEqual([firstId]);
      expect(active.result[0].credentials).toEqual({});

      const updated = await novu.integrations.update(
        {
          name: 'Backup Mailgun',
          active: true,
          credentials: { apiKey: 'mg-key', user: 'api', domain: 'mg.example.com', from: 'a@b.co', senderName: 'B' },
        },
        secondId,
      );
      expect(updated.result).toMatchObject({ id: secondId, name: 'Backup Mailgun', active: true, primary: false, credentials: {} });

      const promoted = await novu.integrations.setAsPrimary(secondId);
      expect(promoted.result).toMatchObject({ id: secondId, primary: true, active: true, credentials: {} });
      const afterPromotion = await novu.integrations.list();
      expect(afterPromotion.result.find((i) => i.id === firstId)).toMatchObject({ primary: false });

      const remaining = await novu.integrations.delete(firstId);
      expect(remaining.result.map((i) => i.id)).toEqual([secondId]);
      expect(remaining.result[0].credentials).toEqual({});
    });

    it('parses the answers of update and setAsPrimary on an integration it did not create', async () => {
      // Created over plain HTTP, so that a release that cannot parse create still shows update and
      // set-primary on their own.
      const response = await fetch(`${testApp.baseUrl}/v1/integrations`, {
        method: 'POST',
        headers: { Authorization: `ApiKey ${apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ providerId: 'twilio', channel: 'sms', credentials: { accountSid: 'AC1', token: 't', from: '+15550100' } }),
      });
      expect(response.status).toBe(201);
      const id = ((await response.json()) as { data: { _id: string } }).data._id;
      const updated = await novu.integrations.update({ name: 'Renamed by SDK' }, id);
      expect(updated.result).toMatchObject({ id, name: 'Renamed by SDK', credentials: {} });
      const promoted = await novu.integrations.setAsPrimary(id);
      expect(promoted.result).toMatchObject({ id, primary: true, active: true, credentials: {} });
    });

    it('surfaces 404 as ErrorDto where the SDK declares it (delete), and as a 404 NovuError elsewhere', async () => {
      const unknownId = '00000000-0000-4000-8000-000000000000';
      const deleteError = await sdkError(novu.integrations.delete(unknownId), sdk.errors.ErrorDto);
      expect(deleteError.statusCode).toBe(404);
      // The SDK's setAsPrimary/update declare 404 as a plain failure (M.fail), not an ErrorDto.
      const primaryError = await sdkError(novu.integrations.setAsPrimary(unknownId), sdk.errors.NovuError);
      expect(primaryError.statusCode).toBe(404);
    });

    it('surfaces a duplicate identifier as a 409 ErrorDto', async () => {
      const identifier = `sdk-dup-${sdk.version}`;
      // 3.11–3.15 require `channel` on create; every release sends it here.
      await novu.integrations.create({ providerId: 'sendgrid', channel: 'email', identifier });
      const error = await sdkError(novu.integrations.create({ providerId: 'sendgrid', channel: 'email', identifier }), sdk.errors.ErrorDto);
      expect(error.statusCode).toBe(409);
      expect(error.message).toContain('Integration with identifier already exists');
    });

    it('surfaces validation failures as ValidationErrorDto with the errors map', async () => {
      const error = await sdkError(novu.integrations.create({ providerId: 'sendgrid', channel: 'sms' }), sdk.errors.ValidationErrorDto);
      expect(error.statusCode).toBe(422);
      expect(Object.keys(error.errors)).toEqual(['channel']);
    });
  });
});
