import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { Credentials } from '../../domain/integration';
import { expectAccepted, sendHttpCheck } from './http-check';
import { basicAuth, credential, joinUrl, ProviderVerifier, requireCredential, VerificationContext } from './provider-verifier';

/**
 * Mailgun: `GET /v3/domains/{domain}` with HTTP Basic `<user or "api">:<apiKey>`, which checks the
 * key and that the sending domain belongs to the account. The integration's own `baseUrl` (EU
 * region: https://api.eu.mailgun.net) wins over the configured one.
 */
export const mailgunVerifier: ProviderVerifier = {
  providerIds: ['mailgun'],
  request: 'GET /v3/domains/{domain}, Basic <user|"api">:<apiKey> (base: credentials.baseUrl, else api.mailgun.net)',
  async verify(providerId: string, credentials: Credentials, context: VerificationContext) {
    const apiKey = requireCredential(credentials, 'apiKey', 'Mailgun');
    const domain = requireCredential(credentials, 'domain', 'Mailgun');
    const base = credential(credentials, 'baseUrl') ?? context.baseUrl(providerId, 'https://api.mailgun.net');
    const response = await sendHttpCheck(context, {
      service: 'Mailgun',
      url: joinUrl(base, `/v3/domains/${encodeURIComponent(domain)}`),
      headers: { authorization: basicAuth(credential(credentials, 'user') ?? 'api', apiKey) },
    });
    if (response.status === 404) {
      throw new CredentialsCheckFailed('rejected', 'Mailgun has no such domain (credentials.domain) for this API key');
    }
    expectAccepted('Mailgun', response);
  },
};
