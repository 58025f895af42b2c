import { randomBytes } from 'node:crypto';

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** `SendGrid` → `send-grid`, `Brevo (formerly Sendinblue)` → `brevo-formerly-sendinblue`. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A random URL-safe suffix (7 characters by default). */
export function randomSuffix(length = 7): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += URL_SAFE[bytes[i] & 63];
  return out;
}

/** The default identifier: `slugify(name)-<suffix>`, e.g. `send-grid-PPBqWA9`. */
export function defaultIdentifier(name: string, suffix: string = randomSuffix()): string {
  const slug = slugify(name) || 'integration';
  return `${slug}-${suffix}`;
}

/** The default display name when none is given and the catalog has none: the provider id capitalised. */
export function capitalise(providerId: string): string {
  return providerId.charAt(0).toUpperCase() + providerId.slice(1);
}
