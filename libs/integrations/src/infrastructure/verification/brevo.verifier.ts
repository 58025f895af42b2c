import { Credentials } from '../../domain/integration';
import { expectAccepted, sendHttpCheck } from './http-check';
import { joinUrl, ProviderVerifier, requireCredential, VerificationContext } from './provider-verifier';

/** Brevo (formerly Sendinblue), email and SMS: `GET /v3/account` with the `api-key` header. */
export const brevoVerifier: ProviderVerifier = {
  providerIds: ['sendinblue', 'brevo-sms'],
  request: 'GET /v3/account, api-key: <apiKey>',
  async verify(providerId: string, credentials: Credentials, context: VerificationContext) {
    const apiKey = requireCredential(credentials, 'apiKey', 'Brevo');
    const response = await sendHttpCheck(context, {
      service: 'Brevo',
      url: joinUrl(context.baseUrl(providerId, 'https://api.brevo.com'), '/v3/account'),
      headers: { 'api-key': apiKey },
    });
    expectAccepted('Brevo', response);
  },
};
