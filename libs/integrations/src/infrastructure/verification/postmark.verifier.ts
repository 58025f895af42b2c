import { Credentials } from '../../domain/integration';
import { expectAccepted, sendHttpCheck } from './http-check';
import { joinUrl, ProviderVerifier, requireCredential, VerificationContext } from './provider-verifier';

/** Postmark: `GET /server` returns the server the server token belongs to. */
export const postmarkVerifier: ProviderVerifier = {
  providerIds: ['postmark'],
  request: 'GET /server, X-Postmark-Server-Token: <apiKey>',
  async verify(providerId: string, credentials: Credentials, context: VerificationContext) {
    const token = requireCredential(credentials, 'apiKey', 'Postmark');
    const response = await sendHttpCheck(context, {
      service: 'Postmark',
      url: joinUrl(context.baseUrl(providerId, 'https://api.postmarkapp.com'), '/server'),
      headers: { 'x-postmark-server-token': token },
    });
    expectAccepted('Postmark', response);
  },
};
