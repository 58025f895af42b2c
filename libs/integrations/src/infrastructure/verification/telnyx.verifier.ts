import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { Credentials } from '../../domain/integration';
import { expectAccepted, sendHttpCheck } from './http-check';
import { joinUrl, ProviderVerifier, requireCredential, VerificationContext } from './provider-verifier';

/** Telnyx: `GET /v2/messaging_profiles/{messageProfileId}` with the API key as Bearer token. */
export const telnyxVerifier: ProviderVerifier = {
  providerIds: ['telnyx'],
  request: 'GET /v2/messaging_profiles/{messageProfileId}, Authorization: Bearer <apiKey>',
  async verify(providerId: string, credentials: Credentials, context: VerificationContext) {
    const apiKey = requireCredential(credentials, 'apiKey', 'Telnyx');
    const profileId = requireCredential(credentials, 'messageProfileId', 'Telnyx');
    const response = await sendHttpCheck(context, {
      service: 'Telnyx',
      url: joinUrl(context.baseUrl(providerId, 'https://api.telnyx.com'), `/v2/messaging_profiles/${encodeURIComponent(profileId)}`),
      headers: { authorization: `Bearer ${apiKey}` },
    });
    if (response.status === 404) {
      throw new CredentialsCheckFailed('rejected', 'Telnyx has no such messaging profile (credentials.messageProfileId) for this API key');
    }
    expectAccepted('Telnyx', response);
  },
};
