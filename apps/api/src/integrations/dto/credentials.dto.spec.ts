import { ProviderCatalog } from '@app/integrations';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CredentialsDto } from './credentials.dto';

const BOOLEAN_KEYS = ['secure', 'requireTls', 'ignoreTls', 'hmac', 'authenticateByToken', 'useFromAddressOverride'];
/** The properties of the reference (Novu) CredentialsDto. */
const REFERENCE_KEYS = [
  'apiKey',
  'user',
  'secretKey',
  'domain',
  'password',
  'host',
  'port',
  'secure',
  'region',
  'accountSid',
  'messageProfileId',
  'token',
  'from',
  'senderName',
  'projectName',
  'applicationId',
  'clientId',
  'requireTls',
  'ignoreTls',
  'tlsOptions',
  'baseUrl',
  'webhookUrl',
  'redirectUrl',
  'hmac',
  'serviceAccount',
  'ipPoolName',
  'apiKeyRequestHeader',
  'secretKeyRequestHeader',
  'idPath',
  'datePath',
  'apiToken',
  'authenticateByToken',
  'authenticationTokenKey',
  'instanceId',
  'alertUid',
  'title',
  'imageUrl',
  'state',
  'externalLink',
  'channelId',
  'phoneNumberIdentification',
  'accessKey',
  'appSid',
  'senderId',
  'tenantId',
  'AppIOBaseUrl',
  'signingSecret',
  'outboundIntegrationId',
  'outboundConnectedAt',
  'whatsNextCompletedAt',
  'useFromAddressOverride',
  'fromAddressOverride',
  'emailSlugPrefix',
  'externalEnvironmentId',
  'externalVaultId',
  'externalWorkspaceId',
];

function sample(key: string): unknown {
  if (BOOLEAN_KEYS.includes(key)) return true;
  if (key === 'tlsOptions') return { rejectUnauthorized: false };
  return `value-${key}`;
}

async function errorsFor(plain: Record<string, unknown>) {
  const errors = await validate(plainToInstance(CredentialsDto, plain), { whitelist: true, forbidNonWhitelisted: true });
  return Object.fromEntries(errors.map((e) => [e.property, Object.keys(e.constraints ?? {})]));
}

describe('CredentialsDto', () => {
  const keys = [...new Set([...REFERENCE_KEYS, ...ProviderCatalog.allCredentialKeys()])];

  it('declares every reference key and every catalog key, typed', async () => {
    expect(await errorsFor(Object.fromEntries(keys.map((key) => [key, sample(key)])))).toEqual({});
  });

  it('refuses unknown keys', async () => {
    expect(await errorsFor({ apiKee: 'x' })).toEqual({ apiKee: ['whitelistValidation'] });
  });

  it('keeps wire types: port is a string, flags are booleans, tlsOptions an object', async () => {
    expect(await errorsFor({ port: 587, secure: 'true', hmac: 1, tlsOptions: 'x', apiKey: 7 })).toEqual({
      port: ['isString'],
      secure: ['isBoolean'],
      hmac: ['isBoolean'],
      tlsOptions: ['isObject'],
      apiKey: ['isString'],
    });
  });
});
