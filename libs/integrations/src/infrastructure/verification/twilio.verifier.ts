import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { Credentials } from '../../domain/integration';
import { expectAccepted, sendHttpCheck } from './http-check';
import { basicAuth, joinUrl, ProviderVerifier, requireCredential, VerificationContext } from './provider-verifier';

/** Twilio: `GET /2010-04-01/Accounts/{AccountSid}.json` with HTTP Basic `<accountSid>:<token>`. */
export const twilioVerifier: ProviderVerifier = {
  providerIds: ['twilio'],
  request: 'GET /2010-04-01/Accounts/{accountSid}.json, Basic <accountSid>:<token>',
  async verify(providerId: string, credentials: Credentials, context: VerificationContext) {
    const accountSid = requireCredential(credentials, 'accountSid', 'Twilio');
    const token = requireCredential(credentials, 'token', 'Twilio');
    const response = await sendHttpCheck(context, {
      service: 'Twilio',
      url: joinUrl(context.baseUrl(providerId, 'https://api.twilio.com'), `/2010-04-01/Accounts/${encodeURIComponent(accountSid)}.json`),
      headers: { authorization: basicAuth(accountSid, token) },
    });
    if (response.status === 404) {
      throw new CredentialsCheckFailed('rejected', 'Twilio has no such account (credentials.accountSid) for these credentials');
    }
    expectAccepted('Twilio', response);
  },
};
