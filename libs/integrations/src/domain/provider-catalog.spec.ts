import { ProviderCatalog } from './provider-catalog';

describe('ProviderCatalog', () => {
  it('finds delivery providers with their channel and display name', () => {
    expect(ProviderCatalog.find('sendgrid')).toMatchObject({ channel: 'email', displayName: 'SendGrid' });
    expect(ProviderCatalog.find('twilio')).toMatchObject({ channel: 'sms', required: ['accountSid', 'token', 'from'] });
  });

  it('does not know made-up providers', () => {
    expect(ProviderCatalog.find('not-a-provider')).toBeUndefined();
  });

  it('offers only chat providers to agent integrations', () => {
    expect(ProviderCatalog.find('slack', 'agent')).toMatchObject({ id: 'slack' });
    expect(ProviderCatalog.find('sendgrid', 'agent')).toBeUndefined();
  });

  it('lists credential keys declared by providers', () => {
    const keys = ProviderCatalog.allCredentialKeys();
    expect(keys).toEqual(expect.arrayContaining(['apiKey', 'apiURL', 'servicePlanId', 'apiVersion', 'contentType']));
  });
});
