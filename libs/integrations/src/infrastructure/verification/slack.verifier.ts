import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { Credentials } from '../../domain/integration';
import { expectAccepted, sendHttpCheck } from './http-check';
import { basicAuth, joinUrl, ProviderVerifier, requireCredential, VerificationContext } from './provider-verifier';

/** A code Slack never issued: the exchange fails after the client credentials were checked. */
const PROBE_CODE = 'credentials-check';

/**
 * Slack integrations hold OAuth app credentials (applicationId, clientId, secretKey = client
 * secret); Slack has no read-only method that authenticates a client id/secret pair. The check
 * exchanges a code that was never issued at `oauth.v2.access` (HTTP Basic client_id:client_secret):
 * Slack answers `invalid_code` when the client credentials are right (nothing is issued, nothing
 * changes) and `invalid_client_id` / `bad_client_secret` when they are not. `applicationId` and the
 * optional `signingSecret` cannot be verified this way.
 */
export const slackVerifier: ProviderVerifier = {
  providerIds: ['slack'],
  request:
    'POST /api/oauth.v2.access (code=<never-issued probe>), Basic <clientId>:<secretKey>; invalid_code = accepted, invalid_client_id/bad_client_secret = rejected',
  async verify(providerId: string, credentials: Credentials, context: VerificationContext) {
    const clientId = requireCredential(credentials, 'clientId', 'Slack');
    const clientSecret = requireCredential(credentials, 'secretKey', 'Slack');
    const response = await sendHttpCheck(context, {
      service: 'Slack',
      method: 'POST',
      url: joinUrl(context.baseUrl(providerId, 'https://slack.com'), '/api/oauth.v2.access'),
      headers: {
        authorization: basicAuth(clientId, clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ code: PROBE_CODE }).toString(),
    });
    expectAccepted('Slack', response);
    const answer = response.json<{ ok?: unknown; error?: unknown }>();
    const error = typeof answer?.error === 'string' ? answer.error : undefined;
    if (error === 'invalid_code' || error === 'code_already_used' || answer?.ok === true) return;
    if (error === 'invalid_client_id' || error === 'bad_client_secret' || error === 'invalid_client') {
      throw new CredentialsCheckFailed('rejected', `Slack rejected the OAuth client credentials (${error})`);
    }
    throw new CredentialsCheckFailed(
      'protocol',
      `Slack answered ${error ? `"${error.slice(0, 64).replace(/[^\w.-]/g, '')}"` : 'something unexpected'}, which does not tell whether the credentials work`,
    );
  },
};
