import { applyOperator, evaluateConditions, tenantField, TenantContext } from './condition-evaluation';
import { FieldFilterPart, FilterOperator, FILTER_OPERATORS, StepFilter } from './conditions';

const tenant: TenantContext = {
  identifier: 'acme',
  name: 'Acme Corp',
  data: { plan: 'pro', seats: 25, region: { code: 'eu-west' }, tags: ['beta', 'vip'], active: true, nothing: null },
};

function part(field: string, operator: FilterOperator, value: string, on: FieldFilterPart['on'] = 'tenant'): FieldFilterPart {
  return { field, operator, value, on };
}
function group(children: FieldFilterPart[], join: 'AND' | 'OR' = 'AND', isNegated = false): StepFilter {
  return { isNegated, value: join, children };
}

describe('tenantField', () => {
  it.each([
    ['identifier', 'acme'],
    ['name', 'Acme Corp'],
    ['data.plan', 'pro'],
    ['data.region.code', 'eu-west'],
    ['data.region.missing', undefined],
    ['data.plan.length', undefined],
    ['data.toString', undefined],
    ['data.__proto__', undefined],
    ['plan', undefined],
  ])('%s → %p', (field, expected) => {
    expect(tenantField(tenant, field)).toEqual(expected);
  });
});

/** [operator, field, value, expected]: every operator, a passing and a failing row at least. */
const TABLE: [FilterOperator, string, string, boolean][] = [
  ['EQUAL', 'data.plan', 'pro', true],
  ['EQUAL', 'data.plan', 'PRO', false],
  ['EQUAL', 'data.seats', '25.0', true],
  ['EQUAL', 'data.active', 'true', true],
  ['EQUAL', 'data.missing', '', false],
  ['EQUAL', 'data.tags', 'beta', false],
  ['NOT_EQUAL', 'data.plan', 'free', true],
  ['NOT_EQUAL', 'data.plan', 'pro', false],
  ['NOT_EQUAL', 'data.missing', 'x', true],
  ['LARGER', 'data.seats', '10', true],
  ['LARGER', 'data.seats', '25', false],
  ['LARGER', 'data.plan', '1', false],
  ['LARGER', 'data.seats', 'ten', false],
  ['SMALLER', 'data.seats', '30', true],
  ['SMALLER', 'data.seats', '25', false],
  ['LARGER_EQUAL', 'data.seats', '25', true],
  ['LARGER_EQUAL', 'data.seats', '26', false],
  ['SMALLER_EQUAL', 'data.seats', '25', true],
  ['SMALLER_EQUAL', 'data.seats', '24', false],
  ['SMALLER_EQUAL', 'data.missing', '24', false],
  ['IN', 'data.plan', 'free, pro ,team', true],
  ['IN', 'data.plan', 'free,team', false],
  ['IN', 'data.seats', '10,25', true],
  ['IN', 'data.missing', 'a', false],
  ['NOT_IN', 'data.plan', 'free,team', true],
  ['NOT_IN', 'data.plan', 'pro', false],
  ['NOT_IN', 'data.missing', 'a', true],
  ['ALL_IN', 'data.tags', 'beta,vip', true],
  ['ALL_IN', 'data.tags', 'beta,alpha', false],
  ['ALL_IN', 'data.plan', 'pro', true],
  ['ALL_IN', 'data.missing', 'pro', false],
  ['ANY_IN', 'data.tags', 'alpha,vip', true],
  ['ANY_IN', 'data.tags', 'alpha,gamma', false],
  ['ANY_IN', 'data.region', 'eu-west', false],
  ['BETWEEN', 'data.seats', '10,25', true],
  ['BETWEEN', 'data.seats', '26,30', false],
  ['BETWEEN', 'data.seats', '30,10', false],
  ['BETWEEN', 'data.seats', '10', false],
  ['BETWEEN', 'data.seats', '10,20,30', false],
  ['BETWEEN', 'data.plan', '1,2', false],
  ['NOT_BETWEEN', 'data.seats', '26,30', true],
  ['NOT_BETWEEN', 'data.seats', '20,30', false],
  ['NOT_BETWEEN', 'data.missing', '20,30', true],
  ['LIKE', 'name', 'acme', true],
  ['LIKE', 'name', 'CORP', true],
  ['LIKE', 'name', 'globex', false],
  ['LIKE', 'name', 'acme%', true],
  ['LIKE', 'name', '%corp', true],
  ['LIKE', 'name', 'corp%', false],
  ['LIKE', 'name', 'a%e%p', true],
  ['LIKE', 'name', 'a%x%p', false],
  ['LIKE', 'name', '%', true],
  ['LIKE', 'name', 'acme corp%p', false],
  ['LIKE', 'name', '.*', false],
  ['LIKE', 'data.tags', 'beta', false],
  ['NOT_LIKE', 'name', 'globex', true],
  ['NOT_LIKE', 'name', 'acme', false],
  ['NOT_LIKE', 'data.missing', 'acme', true],
  ['IS_DEFINED', 'data.plan', '', true],
  ['IS_DEFINED', 'data.nothing', '', false],
  ['IS_DEFINED', 'data.missing', '', false],
  ['IS_DEFINED', 'identifier', '', true],
];

describe('applyOperator (the conditions table)', () => {
  it('covers every operator the contract accepts', () => {
    expect(new Set(TABLE.map(([operator]) => operator))).toEqual(new Set(FILTER_OPERATORS));
  });

  it.each(TABLE)('%s on %s with %p → %p', (operator, field, value, expected) => {
    expect(applyOperator(operator, tenantField(tenant, field), value)).toBe(expected);
    expect(evaluateConditions([group([part(field, operator, value)])], { tenant }).passed).toBe(expected);
  });

  it('an unknown operator never passes', () => {
    expect(applyOperator('MATCHES', 'x', 'x')).toBe(false);
  });

  it('a long pattern of wildcards is matched by a scan, not a regular expression', () => {
    const text = 'a'.repeat(20_000);
    expect(applyOperator('LIKE', text, `${'%a'.repeat(5_000)}%b`)).toBe(false);
  });
});

describe('evaluateConditions', () => {
  it.each<[string, StepFilter[] | undefined, boolean, string]>([
    ['no conditions', [], true, 'no conditions'],
    ['undefined conditions', undefined, true, 'no conditions'],
    ['AND, all hold', [group([part('data.plan', 'EQUAL', 'pro'), part('data.seats', 'LARGER', '10')])], true, 'conditions passed'],
    [
      'AND, one fails',
      [group([part('data.plan', 'EQUAL', 'pro'), part('data.seats', 'LARGER', '100')])],
      false,
      'condition failed: tenant.data.seats LARGER "100"',
    ],
    ['OR, one holds', [group([part('data.plan', 'EQUAL', 'free'), part('identifier', 'EQUAL', 'acme')], 'OR')], true, 'conditions passed'],
    [
      'OR, none holds',
      [group([part('data.plan', 'EQUAL', 'free'), part('identifier', 'EQUAL', 'globex')], 'OR')],
      false,
      'no condition of the OR group held (first: tenant.data.plan EQUAL "free")',
    ],
    ['negated, inner fails', [group([part('data.plan', 'EQUAL', 'free')], 'AND', true)], true, 'conditions passed'],
    ['negated, inner holds', [group([part('data.plan', 'EQUAL', 'pro')], 'AND', true)], false, 'negated condition group (AND) held'],
    ['empty group', [group([])], true, 'conditions passed'],
    [
      'every filter must pass',
      [group([part('data.plan', 'EQUAL', 'pro')]), group([part('identifier', 'EQUAL', 'globex')])],
      false,
      'condition failed: tenant.identifier EQUAL "globex"',
    ],
  ])('%s', (_name, conditions, passed, reason) => {
    expect(evaluateConditions(conditions, { tenant })).toEqual({ passed, reason });
  });

  it.each(['subscriber', 'payload'] as const)('a condition on %s does not pass, even negated or in an OR group, and says so', (on) => {
    const conditions = [group([part('identifier', 'EQUAL', 'acme'), part('email', 'EQUAL', 'x', on)], 'OR', true)];
    expect(evaluateConditions(conditions, { tenant })).toEqual({
      passed: false,
      reason: `condition on ${on}.email cannot be evaluated: no ${on} data is given to a selection`,
    });
  });

  it('tenant conditions without a tenant do not pass, and say so', () => {
    expect(evaluateConditions([group([part('identifier', 'NOT_EQUAL', 'x')])], {})).toEqual({
      passed: false,
      reason: 'condition on tenant.identifier cannot be evaluated: no tenant given',
    });
  });
});
