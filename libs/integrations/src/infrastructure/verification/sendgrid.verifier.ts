import { Credentials } from '../../domain/integration';
import { expectAccepted, sendHttpCheck } from './http-check';
import { credential, joinUrl, ProviderVerifier, requireCredential, VerificationContext } from './provider-verifier';

const GLOBAL = 'https://api.sendgrid.com';
const EU = 'https://api.eu.sendgrid.com';

/** SendGrid: `GET /v3/scopes` lists the key's scopes; any valid key may call it. */
export const sendgridVerifier: ProviderVerifier = {
  providerIds: ['sendgrid'],
  request: 'GET /v3/scopes, Authorization: Bearer <apiKey> (EU region: api.eu.sendgrid.com)',
  async verify(providerId: string, credentials: Credentials, context: VerificationContext) {
    const apiKey = requireCredential(credentials, 'apiKey', 'SendGrid');
    const real = credential(credentials, 'region')?.toLowerCase() === 'eu' ? EU : GLOBAL;
    const response = await sendHttpCheck(context, {
      service: 'SendGrid',
      url: joinUrl(context.baseUrl(providerId, real), '/v3/scopes'),
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expectAccepted('SendGrid', response);
  },
};
