import { FieldProblems } from '@app/integrations';

/*
 * Caps on what a JSON body may hold, checked before anything else walks it (idempotency
 * fingerprinting, class-transformer, class-validator). Each is far above what the contract needs
 * and low enough that every later pass over the body stays cheap: class-transformer alone took
 * seconds on one object of 60,000 keys, a size the 1 MiB body limit lets through.
 */

/** Deeper than any field of the contract needs (conditions are 4 levels; tlsOptions a few more). */
export const MAX_BODY_DEPTH = 32;
/** JSON values in the whole body (objects, arrays, strings, numbers, booleans, nulls). Over it: 413. */
export const MAX_BODY_NODES = 10_000;
/** Properties of one object (the credentials DTO declares about 65). */
export const MAX_OBJECT_KEYS = 256;
/** Items of one array (conditions and their children are a handful; a tlsOptions `ca` list a few). */
export const MAX_ARRAY_LENGTH = 1_000;
/** UTF-16 code units of one string value (an FCM service-account JSON or a PEM chain is a few KB). */
export const MAX_STRING_LENGTH = 32_768;
/** UTF-16 code units of one property name (the longest the contract declares has 26). */
export const MAX_KEY_LENGTH = 256;
/**
 * Size of the credential set: UTF-16 code units of every property name and string value under
 * `credentials`, free-form objects such as `tlsOptions` included.
 */
export const MAX_CREDENTIALS_SIZE = 65_536;

const CREDENTIALS_TOO_LARGE = `credentials must hold at most ${MAX_CREDENTIALS_SIZE} characters of names and values`;

/** At most this many problems are reported (the walk stops there). */
const MAX_PROBLEMS = 20;

export interface BodyShape {
  /** Keyed by dotted property path (`body` for the body itself); empty when the body is fine. */
  readonly problems: FieldProblems;
  /** The body holds more than MAX_BODY_NODES values (the walk stopped there; `problems` is partial). */
  readonly overNodeLimit: boolean;
}

interface Pending {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
  readonly inCredentials: boolean;
}

/**
 * Problems a JSON body has before any validation runs: nesting deeper than MAX_BODY_DEPTH, an
 * object, array, string, property name or credential set over its cap, NUL characters (PostgreSQL
 * stores them neither in text nor in jsonb), and text that is not well-formed UTF-16 (a lone
 * surrogate: PostgreSQL refuses it in jsonb, and text columns would silently replace it). One pass,
 * without recursion (no input can exhaust the stack), never below a refused object or array, and
 * stopping after MAX_BODY_NODES values or MAX_PROBLEMS problems: the work is linear in the part of
 * the body it reads and bounded by the caps. Messages name paths and limits, never the values.
 */
export function inspectBodyShape(body: unknown): BodyShape {
  const problems: FieldProblems = {};
  let problemCount = 0;
  const report = (path: string, message: string): void => {
    const at = path || 'body';
    if (problems[at]) return;
    problems[at] = { messages: [message] };
    problemCount++;
  };
  let nodes = 0;
  let credentialsSize = 0;
  const stack: Pending[] = [{ value: body, path: '', depth: 0, inCredentials: false }];
  while (stack.length > 0 && problemCount < MAX_PROBLEMS) {
    const { value, path, depth, inCredentials } = stack.pop()!;
    if (++nodes > MAX_BODY_NODES) return { problems, overNodeLimit: true };
    const name = path || 'body';
    if (typeof value === 'string') {
      if (value.length > MAX_STRING_LENGTH) report(path, `${name} must be at most ${MAX_STRING_LENGTH} characters long`);
      else if (value.includes('\u0000')) report(path, `${name} must not contain NUL characters`);
      else if (!value.isWellFormed()) report(path, `${name} must be well-formed Unicode text (it holds a lone UTF-16 surrogate)`);
      if (inCredentials && addCredentials(value.length)) report('credentials', CREDENTIALS_TOO_LARGE);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      report(path, `${name} is nested deeper than ${MAX_BODY_DEPTH} levels`);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length > MAX_ARRAY_LENGTH) {
        report(path, `${name} must hold at most ${MAX_ARRAY_LENGTH} items`);
        continue;
      }
      // Pushed last to first, so that problems are found (and reported) in document order.
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: path ? `${path}.${i}` : String(i), depth: depth + 1, inCredentials });
      }
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > MAX_OBJECT_KEYS) {
      report(path, `${name} must hold at most ${MAX_OBJECT_KEYS} properties`);
      continue;
    }
    const children: Pending[] = [];
    for (const key of keys) {
      if (key.length > MAX_KEY_LENGTH) {
        // The path would carry the whole name: the problem is the object's.
        report(path, `${name} has a property name longer than ${MAX_KEY_LENGTH} characters`);
        continue;
      }
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) {
        report(printablePath(childPath), 'property names must not contain NUL characters');
        continue;
      }
      if (!key.isWellFormed()) {
        report(printablePath(childPath), 'property names must be well-formed Unicode text (this one holds a lone UTF-16 surrogate)');
        continue;
      }
      if (inCredentials && addCredentials(key.length)) report('credentials', CREDENTIALS_TOO_LARGE);
      const below = inCredentials || (depth === 0 && key === 'credentials');
      children.push({ value: (value as Record<string, unknown>)[key], path: childPath, depth: depth + 1, inCredentials: below });
    }
    // Pushed last to first, so that problems are found (and reported) in document order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return { problems, overNodeLimit: false };

  /** Adds `size` to the credential set's size; true when that takes it over the cap. */
  function addCredentials(size: number): boolean {
    credentialsSize += size;
    return credentialsSize > MAX_CREDENTIALS_SIZE;
  }
}

/** The problems of `inspectBodyShape` alone (for callers that do not care about the node limit). */
export function bodyShapeProblems(body: unknown): FieldProblems {
  return inspectBodyShape(body).problems;
}

/**
 * `path` with every NUL and lone surrogate written as a `\uXXXX` escape, so that a message naming
 * an ill-formed property name is itself well-formed text. One pass over the path.
 */
export function printablePath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i);
    const high = code >= 0xd800 && code <= 0xdbff;
    const low = code >= 0xdc00 && code <= 0xdfff;
    if (high && i + 1 < path.length && isLowSurrogate(path.charCodeAt(i + 1))) {
      out += path[i] + path[i + 1];
      i++;
    } else if (code === 0 || high || low) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += path[i];
    }
  }
  return out;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
