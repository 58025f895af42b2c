import { capitalise, defaultIdentifier, randomSuffix, slugify } from './identifier';

describe('identifier generation', () => {
  it.each([
    ['SendGrid', 'send-grid'],
    ['Brevo (formerly Sendinblue)', 'brevo-formerly-sendinblue'],
    ['Firebase Cloud Messaging', 'firebase-cloud-messaging'],
    ['APNs (beta)', 'apns-beta'],
    ['MSTeams', 'msteams'],
    ['46elks', '46elks'],
    ['Rocket.Chat', 'rocket-chat'],
    ['  Ünïcödé  name ', 'unicode-name'],
  ])('slugifies %p as %p', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('appends a 7-character URL-safe random suffix', () => {
    const id = defaultIdentifier('SendGrid');
    expect(id).toMatch(/^send-grid-[A-Za-z0-9_-]{7}$/);
  });

  it('draws a different suffix each time', () => {
    const suffixes = new Set(Array.from({ length: 200 }, () => randomSuffix()));
    expect(suffixes.size).toBe(200);
  });

  it('falls back to "integration" when the name has no slug characters', () => {
    expect(defaultIdentifier('!!!', 'abcdefg')).toBe('integration-abcdefg');
  });

  it('capitalises provider ids', () => {
    expect(capitalise('sendgrid')).toBe('Sendgrid');
  });
});
