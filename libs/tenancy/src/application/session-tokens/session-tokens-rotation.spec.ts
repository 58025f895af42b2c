import { Clock } from '../ports/clock';
import { SessionTokens } from './session-tokens';

const OLD = 'old-secret-that-is-long-enough-0123456789';
const NEW = 'new-secret-that-is-long-enough-0123456789';
const subject = {
  userId: '11111111-1111-4111-8111-111111111111',
  organizationId: '22222222-2222-4222-8222-222222222222',
  environmentId: '33333333-3333-4333-8333-333333333333',
};

class FixedClock extends Clock {
  constructor(public current: Date) {
    super();
  }
  override now(): Date {
    return this.current;
  }
}

describe('SessionTokens secret rotation (previousSecrets)', () => {
  const clock = new FixedClock(new Date('2026-01-01T00:00:00Z'));
  const before = new SessionTokens({ secret: OLD, ttlSeconds: 3600 }, clock);
  const during = new SessionTokens({ secret: NEW, previousSecrets: [OLD], ttlSeconds: 3600 }, clock);
  const after = new SessionTokens({ secret: NEW, ttlSeconds: 3600 }, clock);

  it('accepts tokens of the previous secret during the grace period, and signs with the new one only', async () => {
    const oldToken = await before.sign(subject);
    expect(await during.verify(oldToken)).toMatchObject(subject);
    const newToken = await during.sign(subject);
    expect(await after.verify(newToken)).toMatchObject(subject);
    expect(await before.verify(newToken)).toBeUndefined();
    expect(await after.verify(oldToken)).toBeUndefined();
  });

  it('an expired token of the previous secret stays expired', async () => {
    const oldToken = await before.sign(subject);
    const later = new FixedClock(new Date('2026-01-01T02:00:00Z'));
    const duringLater = new SessionTokens({ secret: NEW, previousSecrets: [OLD], ttlSeconds: 3600 }, later);
    expect(await duringLater.verify(oldToken)).toBeUndefined();
  });

  it('refuses empty previous secrets', () => {
    expect(() => new SessionTokens({ secret: NEW, previousSecrets: [''], ttlSeconds: 3600 }, clock)).toThrow(/previousJwtSecrets/);
  });
});
