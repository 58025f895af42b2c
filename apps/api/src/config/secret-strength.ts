/**
 * Production refuses secrets an attacker could guess: the placeholders of our own compose file
 * and docs, "change me" style values, and values with too little variety to have come from a
 * random generator. Each check answers with a reason phrase that never contains the value.
 *
 * The thresholds are far below what `openssl rand -base64 32`, `openssl rand -hex 16` or
 * `crypto.randomBytes` produce (the unit tests generate such values and expect them to pass), so
 * a real random secret is never refused; they only catch values a person typed.
 */

import { estimateBitsPerCharacter } from './secret-entropy';

/**
 * Exact values published as examples (our docker/compose.yaml before it took secrets from the
 * environment, and widely copied tutorial values). Compared case-insensitively.
 */
export const KNOWN_PLACEHOLDER_SECRETS: readonly string[] = [
  'REPLACE-with-a-random-secret-of-at-least-32-characters',
  'REPLACE-with-base64-of-32-random-bytes=',
  'change-me-postgres-password',
  'your-256-bit-secret',
  'your-secret-key',
  'your_jwt_secret',
  'secretOrPrivateKey',
  'supersecret',
  'changeme',
];

/**
 * Estimated bits per character (secret-entropy.ts) below which a JWT_SECRET reads as typed by a
 * person rather than made by a generator. Measured on this estimator: `openssl rand -hex 16`
 * (the weakest generator output we accept) scored 2.89 at the lowest, 3.22 at the 0.1 % quantile
 * and 3.76 ± 0.14 on average over 60,000 values (2.75 is 7 standard deviations below the mean);
 * base64 output 3.8 at the lowest, 4.4 on average; typed passphrases, sentences and l33t
 * spellings scored 0.7–2.5.
 */
export const MIN_ESTIMATED_BITS_PER_CHARACTER = 2.75;

/** Words that mark a value as a placeholder wherever they appear (case-insensitive). */
const PLACEHOLDER_MARKERS = /change[-_ ]?me|change[-_ ]?it|replace|placeholder/i;

/**
 * 32 random hex digits (`openssl rand -hex 16`, the weakest generator output we accept) have ~14
 * distinct characters and fewer than 8 with probability ~4e-8; base64 output far less often.
 */
export const MIN_DISTINCT_CHARACTERS = 8;
/** 32 random bytes have ~30 distinct values. */
const MIN_DISTINCT_KEY_BYTES = 16;

/** A published example value, or one that says "change me" / "replace" / "placeholder" / <like this>. */
export function looksLikePlaceholder(value: string): boolean {
  return isKnownPlaceholder(value) || PLACEHOLDER_MARKERS.test(value) || (value.startsWith('<') && value.endsWith('>'));
}

/** Why a text secret (JWT_SECRET) is too weak for production, or undefined when it is fine. */
export function textSecretWeakness(secret: string): string | undefined {
  if (isKnownPlaceholder(secret)) return 'is a published placeholder value';
  if (looksLikePlaceholder(secret)) {
    return 'looks like a placeholder (contains "change me", "replace" or "placeholder", or is written <like this>)';
  }
  const codePoints = [...secret].map((character) => character.codePointAt(0)!);
  const variety = varietyWeakness(codePoints, MIN_DISTINCT_CHARACTERS, 'characters');
  if (variety) return variety;
  const perCharacter = estimateBitsPerCharacter(secret);
  if (perCharacter < MIN_ESTIMATED_BITS_PER_CHARACTER) {
    return (
      `is made of words or patterns a person would type (an estimated ${perCharacter.toFixed(1)} bits per character, ` +
      `random generator output has at least ${MIN_ESTIMATED_BITS_PER_CHARACTER})`
    );
  }
  return undefined;
}

/**
 * Why a 32-byte encryption key is too weak, or undefined when it is fine. `base64` is the text
 * it was decoded from (placeholder words can hide there too).
 */
export function keyWeakness(key: Buffer, base64: string): string | undefined {
  if (isKnownPlaceholder(base64)) return 'is a published placeholder value';
  if (PLACEHOLDER_MARKERS.test(base64)) return 'looks like a placeholder (contains "change me", "replace" or "placeholder")';
  // 32 random bytes are all printable ASCII with probability (95/256)^32, about 2e-14: these are
  // the base64 of typed text ("my-very-secret-encryption-key-32").
  if (key.every((byte) => byte >= 0x20 && byte <= 0x7e)) return 'decodes to printable text, not random bytes';
  return varietyWeakness([...key], MIN_DISTINCT_KEY_BYTES, 'byte values');
}

function isKnownPlaceholder(value: string): boolean {
  const lower = value.toLowerCase();
  return KNOWN_PLACEHOLDER_SECRETS.some((placeholder) => placeholder.toLowerCase() === lower);
}

/**
 * Too few distinct symbols ("aaaa…", "abab…"), one short unit repeated ("Secret123!Secret123!…"),
 * or mostly runs and steps ("abcdefgh…", "0123…", "zyxw…").
 */
function varietyWeakness(symbols: readonly number[], minDistinct: number, unit: string): string | undefined {
  const distinct = new Set(symbols).size;
  if (distinct < minDistinct) return `has too little variety (fewer than ${minDistinct} distinct ${unit})`;
  const period = smallestPeriod(symbols);
  if (period * 2 <= symbols.length) return 'repeats one short pattern';
  let steps = 0;
  for (let index = 1; index < symbols.length; index++) {
    if (Math.abs(symbols[index] - symbols[index - 1]) <= 1) steps++;
  }
  // Three quarters: 32 random hex digits step by at most one with probability ~0.17 per pair.
  if (steps * 4 >= (symbols.length - 1) * 3) return `is mostly a run or sequence of ${unit}`;
  return undefined;
}

/** The smallest p such that symbols[i] === symbols[i - p] for every i ≥ p (KMP failure function). */
function smallestPeriod(symbols: readonly number[]): number {
  const failure = new Array<number>(symbols.length).fill(0);
  for (let index = 1, matched = 0; index < symbols.length; index++) {
    while (matched > 0 && symbols[index] !== symbols[matched]) matched = failure[matched - 1];
    if (symbols[index] === symbols[matched]) matched++;
    failure[index] = matched;
  }
  return symbols.length - (failure[symbols.length - 1] ?? 0);
}
