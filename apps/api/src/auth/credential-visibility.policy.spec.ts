import { maySeeCredentialValues, SECRET_CONFIGURATION_KEYS, withoutSecretValues } from './credential-visibility.policy';

describe('maySeeCredentialValues', () => {
  it('lets session (dashboard) callers see credential values', () => {
    expect(maySeeCredentialValues({ kind: 'session' })).toBe(true);
  });

  it('never lets API-key callers see credential values', () => {
    expect(maySeeCredentialValues({ kind: 'api-key' })).toBe(false);
  });

  it('treats an unknown caller as one who may not see them', () => {
    expect(maySeeCredentialValues(undefined)).toBe(false);
  });
});

describe('withoutSecretValues', () => {
  it('empties credentials and drops the secret configuration keys, keeping every other field', () => {
    const integration = {
      _id: 'i1',
      name: 'n',
      credentials: { apiKey: 'SG.secret', secure: true },
      configurations: { inboundWebhookEnabled: true, inboundWebhookSigningKey: 'whsec-1', inboxCount: 'unseen' },
    };
    expect(withoutSecretValues(integration)).toEqual({
      _id: 'i1',
      name: 'n',
      credentials: {},
      configurations: { inboundWebhookEnabled: true, inboxCount: 'unseen' },
    });
    // A copy: the input keeps its values (the mapper's and the replay's inputs are not mutated).
    expect(integration.credentials.apiKey).toBe('SG.secret');
  });

  it('adds credentials: {} where the field is missing (released SDKs declare it required)', () => {
    expect(withoutSecretValues({ _id: 'i1' })).toEqual({ _id: 'i1', credentials: {} });
  });

  it('replaces configurations that are not an object, so no secret can hide in an odd shape', () => {
    expect(withoutSecretValues({ configurations: ['whsec-1'] })).toEqual({ credentials: {}, configurations: {} });
  });

  it('lists the inbound webhook signing key as a secret', () => {
    expect([...SECRET_CONFIGURATION_KEYS]).toEqual(['inboundWebhookSigningKey']);
  });
});
