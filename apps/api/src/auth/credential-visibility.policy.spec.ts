import { maySeeCredentialValues } from './credential-visibility.policy';

describe('maySeeCredentialValues', () => {
  it('lets session (dashboard) callers see credential values', () => {
    expect(maySeeCredentialValues({ kind: 'session' })).toBe(true);
  });

  it('never lets API-key callers see credential values', () => {
    expect(maySeeCredentialValues({ kind: 'api-key' })).toBe(false);
  });
});
