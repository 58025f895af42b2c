import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { Credentials } from '../../domain/integration';
import { expectAccepted, sendHttpCheck } from './http-check';
import { joinUrl, ProviderVerifier, requireCredential, VerificationContext } from './provider-verifier';

/**
 * Resend: `GET /domains`. A "sending access" key is valid but may not list domains: Resend answers
 * 401 `restricted_api_key`, which proves the key exists, so it counts as accepted. An unknown key
 * is 400/401/403 with `validation_error` / `invalid_api_key`.
 */
export const resendVerifier: ProviderVerifier = {
  providerIds: ['resend'],
  request: 'GET /domains, Authorization: Bearer <apiKey> (401 restricted_api_key = valid sending-only key)',
  async verify(providerId: string, credentials: Credentials, context: VerificationContext) {
    const apiKey = requireCredential(credentials, 'apiKey', 'Resend');
    const response = await sendHttpCheck(context, {
      service: 'Resend',
      url: joinUrl(context.baseUrl(providerId, 'https://api.resend.com'), '/domains'),
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const name = response.json<{ name?: unknown }>()?.name;
    if (response.status === 401 && name === 'restricted_api_key') return;
    if (response.status === 400 && (name === 'validation_error' || name === 'invalid_api_key')) {
      throw new CredentialsCheckFailed('rejected', 'Resend rejected the credentials (HTTP 400: API key is invalid)');
    }
    expectAccepted('Resend', response);
  },
};
