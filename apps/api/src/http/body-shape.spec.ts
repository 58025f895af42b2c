import {
  bodyShapeProblems,
  inspectBodyShape,
  MAX_ARRAY_LENGTH,
  MAX_BODY_DEPTH,
  MAX_BODY_NODES,
  MAX_CREDENTIALS_SIZE,
  MAX_KEY_LENGTH,
  MAX_OBJECT_KEYS,
  MAX_STRING_LENGTH,
  printablePath,
} from './body-shape';

describe('bodyShapeProblems', () => {
  it('accepts ordinary bodies', () => {
    expect(bodyShapeProblems({ providerId: 'sendgrid', conditions: [{ children: [{ field: 'a' }] }] })).toEqual({});
  });

  it('names NUL characters in values at their dotted path', () => {
    expect(bodyShapeProblems({ name: 'a\u0000b', conditions: [{ children: [{ field: 'x\u0000' }] }] })).toEqual({
      name: { messages: ['name must not contain NUL characters'] },
      'conditions.0.children.0.field': { messages: ['conditions.0.children.0.field must not contain NUL characters'] },
    });
  });

  it('refuses NUL characters in property names', () => {
    expect(Object.keys(bodyShapeProblems({ credentials: { 'k\u0000': 1 } }))).toEqual(['credentials.k\\u0000']);
  });

  it('refuses nesting beyond the limit without recursing', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const problems = bodyShapeProblems({ credentials: { tlsOptions: deep } });
    expect(Object.values(problems)[0].messages[0]).toMatch(`nested deeper than ${MAX_BODY_DEPTH} levels`);
  });

  it('allows nesting up to the limit', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_BODY_DEPTH - 1; i++) deep = { a: deep };
    expect(bodyShapeProblems(deep)).toEqual({});
  });
});

describe('inspectBodyShape caps', () => {
  const many = (n: number): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

  it('accepts every cap exactly', () => {
    const body = {
      name: 'n'.repeat(MAX_STRING_LENGTH),
      credentials: { tlsOptions: { [`${'k'.repeat(MAX_KEY_LENGTH)}`]: Array.from({ length: MAX_ARRAY_LENGTH }, () => 1) } },
      configurations: many(MAX_OBJECT_KEYS),
    };
    expect(inspectBodyShape(body)).toEqual({ problems: {}, overNodeLimit: false });
  });

  it('names an object with too many properties, without reading below it', () => {
    const shape = inspectBodyShape({ credentials: { tlsOptions: { ...many(MAX_OBJECT_KEYS + 1), nul: 'x\u0000' } } });
    expect(shape).toEqual({
      problems: { 'credentials.tlsOptions': { messages: [`credentials.tlsOptions must hold at most ${MAX_OBJECT_KEYS} properties`] } },
      overNodeLimit: false,
    });
  });

  it('refuses 60,000 keys at the top level as too many properties', () => {
    expect(Object.keys(bodyShapeProblems(many(60_000)))).toEqual(['body']);
  });

  it('names an array with too many items', () => {
    const problems = bodyShapeProblems({ conditions: Array.from({ length: MAX_ARRAY_LENGTH + 1 }, () => ({})) });
    expect(problems).toEqual({ conditions: { messages: [`conditions must hold at most ${MAX_ARRAY_LENGTH} items`] } });
  });

  it('names a string that is too long, without echoing it', () => {
    const problems = bodyShapeProblems({ credentials: { baseUrl: `https://h${'/'.repeat(MAX_STRING_LENGTH)}a` } });
    expect(problems).toEqual({
      'credentials.baseUrl': { messages: [`credentials.baseUrl must be at most ${MAX_STRING_LENGTH} characters long`] },
    });
  });

  it('names the object of a property name that is too long, without echoing the name', () => {
    const problems = bodyShapeProblems({ credentials: { tlsOptions: { ['k'.repeat(MAX_KEY_LENGTH + 1)]: 1 } } });
    expect(problems).toEqual({
      'credentials.tlsOptions': { messages: [`credentials.tlsOptions has a property name longer than ${MAX_KEY_LENGTH} characters`] },
    });
  });

  it('caps the size of the whole credential set, tlsOptions included', () => {
    const half = 'v'.repeat(MAX_CREDENTIALS_SIZE / 2);
    // Exactly the cap: names (apiKey, tlsOptions, ca) and values add up to MAX_CREDENTIALS_SIZE.
    expect(bodyShapeProblems({ credentials: { apiKey: half.slice(16), tlsOptions: { ca: half.slice(2) } } })).toEqual({});
    expect(bodyShapeProblems({ credentials: { apiKey: half.slice(15), tlsOptions: { ca: half.slice(2) } } })).toEqual({
      credentials: { messages: [`credentials must hold at most ${MAX_CREDENTIALS_SIZE} characters of names and values`] },
    });
    const problems = bodyShapeProblems({ credentials: { apiKey: half, tlsOptions: { ca: [half] } } });
    expect(problems).toEqual({
      credentials: { messages: [`credentials must hold at most ${MAX_CREDENTIALS_SIZE} characters of names and values`] },
    });
  });

  it('does not count strings outside credentials towards the credential set', () => {
    const big = 'v'.repeat(MAX_STRING_LENGTH);
    expect(bodyShapeProblems({ name: big, identifier: big, configurations: { a: big, b: big } })).toEqual({});
  });

  /** `{credentials: {tlsOptions: {a0: [0, …], a1: […], …}}}` holding exactly `total` JSON values. */
  function bodyOf(total: number): unknown {
    const tlsOptions: Record<string, number[]> = {};
    let left = total - 3; // the body, credentials and tlsOptions
    for (let i = 0; left > 0; i++) {
      const items = Math.min(MAX_ARRAY_LENGTH, left - 1);
      tlsOptions[`a${i}`] = Array.from({ length: items }, () => 0);
      left -= items + 1;
    }
    return { credentials: { tlsOptions } };
  }

  it('accepts MAX_BODY_NODES values and stops at one more', () => {
    expect(inspectBodyShape(bodyOf(MAX_BODY_NODES)).overNodeLimit).toBe(false);
    expect(inspectBodyShape(bodyOf(MAX_BODY_NODES + 1)).overNodeLimit).toBe(true);
  });
});

describe('ill-formed text', () => {
  it.each([
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udc00'],
    ['a reversed pair', '\udc00\ud800'],
  ])('refuses %s in a string, naming the path', (_label, text) => {
    expect(bodyShapeProblems({ configurations: { configurationSetName: text } })).toEqual({
      'configurations.configurationSetName': {
        messages: ['configurations.configurationSetName must be well-formed Unicode text (it holds a lone UTF-16 surrogate)'],
      },
    });
  });

  it('accepts a surrogate pair (an emoji) in strings and keys', () => {
    expect(bodyShapeProblems({ name: '📨 mail', credentials: { tlsOptions: { '🔑': 'x' } } })).toEqual({});
  });

  it('refuses a lone surrogate in a property name, escaping it in the path so the answer is well-formed', () => {
    const problems = bodyShapeProblems({ credentials: { tlsOptions: { 'k\ud800': 1, '🔑\udfff': 2 } } });
    expect(Object.keys(problems)).toEqual(['credentials.tlsOptions.k\\ud800', 'credentials.tlsOptions.🔑\\udfff']);
    expect(JSON.stringify(problems).isWellFormed()).toBe(true);
  });
});

describe('printablePath', () => {
  it('escapes NULs and lone surrogates and keeps pairs', () => {
    expect(printablePath('a\u0000b\ud800c\udc00😀')).toBe('a\\u0000b\\ud800c\\udc00😀');
  });
});
