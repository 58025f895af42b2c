import { randomBytes } from 'node:crypto';
import { estimateBitsPerCharacter, estimateSecretBits, MAX_ESTIMATED_LENGTH } from './secret-entropy';
import { MIN_ESTIMATED_BITS_PER_CHARACTER } from './secret-strength';

describe('estimateSecretBits', () => {
  it.each([
    ['openssl rand -hex 16', () => randomBytes(16).toString('hex')],
    ['openssl rand -hex 32', () => randomBytes(32).toString('hex')],
    ['openssl rand -base64 32', () => randomBytes(32).toString('base64')],
    ['openssl rand -base64 48', () => randomBytes(48).toString('base64')],
    ['base64url of 24 bytes', () => randomBytes(24).toString('base64url')],
  ])('scores generator output (%s) above the production threshold, 500 values', (_name, generate) => {
    for (let round = 0; round < 500; round++) {
      expect(estimateBitsPerCharacter(generate())).toBeGreaterThanOrEqual(MIN_ESTIMATED_BITS_PER_CHARACTER);
    }
  });

  it('costs a common password far less than its length in brute force', () => {
    expect(estimateSecretBits('password')).toBeLessThan(4);
    expect(estimateSecretBits('Password')).toBeLessThan(5);
    expect(estimateSecretBits('p@ssw0rd')).toBeLessThan(8);
    expect(estimateSecretBits('drowssap')).toBeLessThan(5);
  });

  it('prices each word by its rank: a rare word costs more than a common one', () => {
    expect(estimateSecretBits('the')).toBeLessThan(estimateSecretBits('zygote'));
  });

  it('prices separators, repeats, runs and sequences below brute force', () => {
    const bruteForce = (text: string) => text.length * Math.log2(26);
    expect(estimateSecretBits('xqzvxqzvxqzvxqzv')).toBeLessThan(bruteForce('xqzvxqzvxqzvxqzv') / 2);
    expect(estimateSecretBits('zzzzzzzzzzzz')).toBeLessThan(10);
    expect(estimateSecretBits('abcdefghijkl')).toBeLessThan(12);
    expect(estimateSecretBits('horse-battery')).toBeLessThan(estimateSecretBits('horse') + estimateSecretBits('battery') + 4);
  });

  it('estimates only the first MAX_ESTIMATED_LENGTH characters of a huge value', () => {
    const huge = randomBytes(3 * MAX_ESTIMATED_LENGTH).toString('hex');
    expect(estimateSecretBits(huge)).toBe(estimateSecretBits(huge.slice(0, MAX_ESTIMATED_LENGTH)));
  });

  it('handles text outside ASCII and lone surrogates without throwing', () => {
    expect(estimateBitsPerCharacter('пароль-пароль-пароль-пароль-пароль')).toBeLessThan(MIN_ESTIMATED_BITS_PER_CHARACTER);
    expect(Number.isFinite(estimateSecretBits('\ud800abc\udfff'.repeat(10)))).toBe(true);
    expect(estimateBitsPerCharacter('')).toBe(0);
  });
});
