import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { Credentials } from '../../domain/integration';
import { expectAccepted, sendHttpCheck } from './http-check';
import { joinUrl, ProviderVerifier, requireCredential, VerificationContext } from './provider-verifier';

/**
 * OneSignal: the integration holds an app's REST API key, and "View an app" (`GET /apps/{id}`)
 * needs the organization key instead, so the check uses "View messages":
 * `GET /notifications?app_id={applicationId}&limit=1`, which needs the app key of that very app.
 * Current keys (`os_v2_app_…`) use `Authorization: Key …`, legacy REST keys `Basic …`.
 */
export const oneSignalVerifier: ProviderVerifier = {
  providerIds: ['one-signal'],
  request: 'GET /notifications?app_id={applicationId}&limit=1, Authorization: Key <apiKey> (legacy keys: Basic <apiKey>)',
  async verify(providerId: string, credentials: Credentials, context: VerificationContext) {
    const appId = requireCredential(credentials, 'applicationId', 'OneSignal');
    const apiKey = requireCredential(credentials, 'apiKey', 'OneSignal');
    const scheme = apiKey.startsWith('os_v2_') ? 'Key' : 'Basic';
    const query = new URLSearchParams({ app_id: appId, limit: '1' }).toString();
    const response = await sendHttpCheck(context, {
      service: 'OneSignal',
      url: joinUrl(context.baseUrl(providerId, 'https://api.onesignal.com'), `/notifications?${query}`),
      headers: { authorization: `${scheme} ${apiKey}` },
    });
    if (response.status === 400 || response.status === 404) {
      throw new CredentialsCheckFailed(
        'rejected',
        `OneSignal does not accept this app (credentials.applicationId) with this API key (HTTP ${response.status})`,
      );
    }
    expectAccepted('OneSignal', response);
  },
};
