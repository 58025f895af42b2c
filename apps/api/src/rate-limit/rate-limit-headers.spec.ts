import { limitField, policyField, secondsUntilReset } from './rate-limit-headers';

const writes = { policy: 'writes', quota: 600, windowSeconds: 60, remaining: 599, resetMs: 59_200 };

describe('RateLimit fields (draft-ietf-httpapi-ratelimit-headers-11)', () => {
  it('writes the policy as a quoted name with its quota and window', () => {
    expect(policyField(writes)).toBe('"writes";q=600;w=60');
  });

  it('writes the service limit as what is left and the seconds until the window renews, rounded up', () => {
    expect(limitField(writes)).toBe('"writes";r=599;t=60');
    expect(limitField({ ...writes, policy: 'failed-auth', remaining: 0, resetMs: 1_001 })).toBe('"failed-auth";r=0;t=2');
  });

  it('never says less than one second, nor a negative remainder', () => {
    expect(secondsUntilReset(0)).toBe(1);
    expect(limitField({ ...writes, remaining: -3, resetMs: 10 })).toBe('"writes";r=0;t=1');
  });

  it('refuses a policy name that would need escaping in a Structured Field string', () => {
    expect(() => policyField({ ...writes, policy: 'a"b' })).toThrow(RangeError);
  });
});
