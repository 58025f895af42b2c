import { FieldProblems } from '@app/integrations';

/** Deeper than any field of the contract needs (conditions are 4 levels; tlsOptions a few more). */
export const MAX_BODY_DEPTH = 32;

/**
 * Problems a JSON body has before any validation runs, found without recursion (so that no
 * input can exhaust the stack): nesting deeper than MAX_BODY_DEPTH, and NUL characters in a key
 * or string (PostgreSQL stores neither in text nor in jsonb). Keyed by dotted property path;
 * at most one problem per path, the first 20 paths.
 */
export function bodyShapeProblems(body: unknown): FieldProblems {
  const problems: FieldProblems = {};
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  while (stack.length > 0 && Object.keys(problems).length < 20) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) problems[path || 'body'] = { messages: [`${path || 'body'} must not contain NUL characters`] };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      problems[path || 'body'] = { messages: [`${path || 'body'} is nested deeper than ${MAX_BODY_DEPTH} levels`] };
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) {
        problems[childPath.replace(/\u0000/g, '\\u0000')] = { messages: ['property names must not contain NUL characters'] };
        continue;
      }
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return problems;
}
