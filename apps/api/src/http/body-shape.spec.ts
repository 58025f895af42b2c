import { bodyShapeProblems, MAX_BODY_DEPTH } from './body-shape';

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
