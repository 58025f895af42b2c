/**
 * An estimate of how many bits an attacker who guesses the way people choose secrets needs to
 * find one: the cheapest way to spell the value out of dictionary words (common passwords,
 * English words, names, Wikipedia's frequent words, diceware), l33t spellings, reversed words,
 * repeats, sequences, runs and separators, with brute force for whatever is left.
 *
 * Why our own estimate rather than zxcvbn-ts's scorer: its guess count is tuned to rank
 * passwords of 8–16 characters, and on 32+ character secrets it ranks a sentence above random
 * generator output (for example 10^33.7 guesses for an English sentence against 10^30.8 for
 * `openssl rand -hex 16`), and it takes 0.2–0.8 s per check. The question production asks is
 * narrower: "was this made by a generator, or typed by a person?". Generator output costs about
 * as many bits per character as its alphabet allows (hex ≈ 4, base64 ≈ 6); text a person types
 * is made of words and patterns and costs far less per character. So we use zxcvbn-ts's word
 * lists (data, not code) and do the segmentation ourselves, in O(length × longest word).
 */

/** Characters beyond this are not estimated (config values only; JWT_SECRET needs 32). */
export const MAX_ESTIMATED_LENGTH = 1024;

const MIN_WORD = 3;
const MAX_WORD = 24;
/** Choosing among the few characters people put between words (" -_.,+/"). */
const SEPARATOR_BITS = Math.log2(10);
const SEPARATORS = new Set([' ', '-', '_', '.', ',', '+', '/', ':', ';', '|']);
/** What people type for letters: each substitution costs a bit (was it substituted or not). */
const L33T: Readonly<Record<string, string>> = {
  '4': 'a',
  '@': 'a',
  '8': 'b',
  '(': 'c',
  '3': 'e',
  '6': 'g',
  '1': 'i',
  '!': 'i',
  '|': 'l',
  '0': 'o',
  '5': 's',
  $: 's',
  '7': 't',
  '+': 't',
  '2': 'z',
};

let dictionary: Map<string, number> | undefined;

/**
 * word → rank (1 = most common), from the ranked lists of @zxcvbn-ts/language-common and
 * language-en; lists in alphabetical order (diceware, first names) count every word at the
 * list's length. Loaded on first use only: the check runs once, at production start-up.
 */
function words(): Map<string, number> {
  if (dictionary) return dictionary;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const common = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
  const english = require('@zxcvbn-ts/language-en') as { dictionary: Record<string, string[]> };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const unranked = new Set(['diceware-common', 'firstnames-en']);
  const map = new Map<string, number>();
  for (const [name, list] of Object.entries({ ...common.dictionary, ...english.dictionary })) {
    list.forEach((word, index) => {
      if (word.length < MIN_WORD || word.length > MAX_WORD) return;
      const rank = unranked.has(name) ? list.length : index + 1;
      const known = map.get(word);
      if (known === undefined || rank < known) map.set(word, rank);
    });
  }
  dictionary = map;
  return map;
}

function classBits(character: string): number {
  if (/[a-z]/.test(character)) return Math.log2(26);
  if (/[A-Z]/.test(character)) return Math.log2(26);
  if (/[0-9]/.test(character)) return Math.log2(10);
  if (character.charCodeAt(0) < 0x80) return Math.log2(33);
  return Math.log2(100); // another script: at least that many choices
}

/** Capitalisation beyond lower case: none, first letter or all capitals cost a bit; mixed, one per letter. */
function capsBits(original: string): number {
  if (original === original.toLowerCase()) return 0;
  if (original === original.toUpperCase()) return 1;
  const rest = original.slice(1);
  if (original[0] !== original[0].toLowerCase() && rest === rest.toLowerCase()) return 1;
  return original.length;
}

/** The cheapest dictionary reading of `original` (a slice of the secret), or Infinity. */
function wordBits(original: string, map: Map<string, number>): number {
  const lower = original.toLowerCase();
  let substitutions = 0;
  let decoded = '';
  for (const character of lower) {
    const letter = L33T[character];
    if (letter) substitutions++;
    decoded += letter ?? character;
  }
  let best = Infinity;
  const consider = (candidate: string, extra: number) => {
    const rank = map.get(candidate);
    if (rank !== undefined) best = Math.min(best, Math.log2(rank) + extra);
  };
  const caps = capsBits(original);
  consider(lower, caps);
  consider([...lower].reverse().join(''), caps + 1);
  if (substitutions > 0) consider(decoded, caps + substitutions);
  // One bit for "a word starts here".
  return best + 1;
}

/** ≥ 4 characters whose code points step by the same −2…+2 ("abcd", "9876", "2468"), or one repeated. */
function patternBits(text: string, start: number, end: number): number {
  const length = end - start;
  if (length < 3) return Infinity;
  const step = text.charCodeAt(start + 1) - text.charCodeAt(start);
  if (Math.abs(step) > 2 || (step !== 0 && length < 4)) return Infinity;
  for (let index = start + 2; index < end; index++) {
    if (text.charCodeAt(index) - text.charCodeAt(index - 1) !== step) return Infinity;
  }
  return classBits(text[start]) + Math.log2(length) + (step === 0 ? 0 : 2);
}

/** Estimated bits to guess `secret` (its first MAX_ESTIMATED_LENGTH UTF-16 units). */
export function estimateSecretBits(secret: string): number {
  const text = secret.slice(0, MAX_ESTIMATED_LENGTH);
  const map = words();
  const length = text.length;
  const best = new Array<number>(length + 1).fill(Infinity);
  best[0] = 0;
  for (let start = 0; start < length; start++) {
    const here = best[start];
    if (here === Infinity) continue;
    const character = text[start];
    const single = SEPARATORS.has(character) ? SEPARATOR_BITS : classBits(character);
    best[start + 1] = Math.min(best[start + 1], here + single);
    const longest = Math.min(MAX_WORD, length - start);
    for (let size = MIN_WORD; size <= longest; size++) {
      const end = start + size;
      const slice = text.slice(start, end);
      let cost = Math.min(wordBits(slice, map), patternBits(text, start, end));
      // A repeat of something earlier: where it was and how long.
      if (cost === Infinity && start >= size && text.lastIndexOf(slice, start - size) !== -1) {
        cost = Math.log2(start) + Math.log2(size);
      }
      if (here + cost < best[end]) best[end] = here + cost;
    }
  }
  return best[length];
}

/** Estimated bits per character: ≈ 3.2–4 for hex generator output, 5–6 for base64, 1.5–2.5 for typed text. */
export function estimateBitsPerCharacter(secret: string): number {
  const text = secret.slice(0, MAX_ESTIMATED_LENGTH);
  return text.length === 0 ? 0 : estimateSecretBits(text) / text.length;
}
