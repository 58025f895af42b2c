import { joinUrl, trimTrailingSlashes } from './provider-verifier';

describe('trimTrailingSlashes', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['///', ''],
    ['https://api.mailgun.net', 'https://api.mailgun.net'],
    ['https://api.mailgun.net/', 'https://api.mailgun.net'],
    ['https://h/prefix///', 'https://h/prefix'],
    ['https://h//a', 'https://h//a'],
  ])('%j → %j', (input, expected) => {
    expect(trimTrailingSlashes(input)).toBe(expected);
  });

  // Correctness on the shapes that made the old regex quadratic (a long run of slashes that is
  // not at the end, and one that is). The time it takes is measured in bench/, never here.
  it('handles 1,000,000 slashes inside and at the end of a base URL', () => {
    const run = '/'.repeat(1_000_000);
    expect(trimTrailingSlashes(`https://h${run}a`)).toBe(`https://h${run}a`);
    expect(trimTrailingSlashes(`https://h${run}a${run}`)).toBe(`https://h${run}a`);
    expect(joinUrl(`https://h${run}`, '/v3/x')).toBe('https://h/v3/x');
  });
});
