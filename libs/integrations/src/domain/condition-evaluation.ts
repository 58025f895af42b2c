import { FieldFilterPart, StepFilter } from './conditions';

/** The tenant a message is sent for, as the caller of a selection gives it (docs/contract.md §3 conditions). */
export interface TenantContext {
  readonly identifier: string;
  readonly name?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** What conditions are evaluated against. Only `tenant` can be given today; `subscriber`/`payload` never are. */
export interface ConditionContext {
  readonly tenant?: TenantContext;
}

export interface ConditionVerdict {
  readonly passed: boolean;
  /** Why, in one line: "no conditions", "conditions passed", or the first condition that failed. */
  readonly reason: string;
}

const PASSED: ConditionVerdict = { passed: true, reason: 'conditions passed' };
const NO_CONDITIONS: ConditionVerdict = { passed: true, reason: 'no conditions' };

/**
 * Evaluates an integration's conditions (docs/contract.md §3 conditions). Every filter of the list
 * must pass; a filter joins its children with AND or OR, and `isNegated` inverts the filter's
 * result. A child on a source the context does not carry (`subscriber`, `payload`, or `tenant`
 * without a tenant) cannot be evaluated: the whole list is then not passing, whatever the joins and
 * negations, and the reason says which source was missing. Pure: no regular expression is built from
 * the stored values, so no input can make it slow beyond linear work in their size.
 */
export function evaluateConditions(conditions: readonly StepFilter[] | undefined, context: ConditionContext): ConditionVerdict {
  if (!conditions || conditions.length === 0) return NO_CONDITIONS;
  for (const filter of conditions) {
    for (const part of filter.children ?? []) {
      const missing = missingSource(part, context);
      if (missing) return { passed: false, reason: missing };
    }
  }
  for (const filter of conditions) {
    const verdict = evaluateFilter(filter, context);
    if (!verdict.passed) return verdict;
  }
  return PASSED;
}

function missingSource(part: FieldFilterPart, context: ConditionContext): string | undefined {
  if (part.on === 'tenant') return context.tenant ? undefined : `condition on tenant.${part.field} cannot be evaluated: no tenant given`;
  return `condition on ${String(part.on)}.${part.field} cannot be evaluated: no ${String(part.on)} data is given to a selection`;
}

function evaluateFilter(filter: StepFilter, context: ConditionContext): ConditionVerdict {
  const children = filter.children ?? [];
  // An empty group is neutral: it passes (before negation), whatever its join.
  let result = true;
  let firstFailure: FieldFilterPart | undefined;
  if (children.length > 0) {
    if (filter.value === 'OR') {
      result = children.some((part) => evaluatePart(part, context));
      if (!result) firstFailure = children[0];
    } else {
      firstFailure = children.find((part) => !evaluatePart(part, context));
      result = firstFailure === undefined;
    }
  }
  const passed = filter.isNegated ? !result : result;
  if (passed) return PASSED;
  if (filter.isNegated) return { passed: false, reason: `negated condition group (${filter.value}) held` };
  const part = firstFailure!;
  const what = `${part.on}.${part.field} ${part.operator} ${JSON.stringify(part.value)}`;
  return {
    passed: false,
    reason: filter.value === 'OR' ? `no condition of the OR group held (first: ${what})` : `condition failed: ${what}`,
  };
}

/** The tenant's value of a field: `identifier`, `name`, or `data.<dotted path>` (own properties only). */
export function tenantField(tenant: TenantContext, field: string): unknown {
  if (field === 'identifier') return tenant.identifier;
  if (field === 'name') return tenant.name;
  if (!field.startsWith('data.')) return undefined;
  let current: unknown = tenant.data;
  for (const key of field.slice('data.'.length).split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function evaluatePart(part: FieldFilterPart, context: ConditionContext): boolean {
  return applyOperator(part.operator, tenantField(context.tenant!, part.field), part.value ?? '');
}

/**
 * One operator applied to the actual value (from the tenant) and the condition's text value. The
 * rules, in docs/contract.md §3 conditions: comma lists for IN/NOT_IN/ALL_IN/ANY_IN/BETWEEN (items
 * trimmed), numbers when both sides read as finite numbers, LIKE as a case-insensitive "contains" or,
 * when the value has `%`, a case-insensitive wildcard match of the whole text. An absent field fails
 * every positive operator and passes the negative ones (NOT_EQUAL, NOT_IN, NOT_BETWEEN, NOT_LIKE).
 */
export function applyOperator(operator: string, actual: unknown, value: string): boolean {
  switch (operator) {
    case 'EQUAL':
      return isEqual(actual, value);
    case 'NOT_EQUAL':
      return !isEqual(actual, value);
    case 'LARGER':
      return compare(actual, value, (a, b) => a > b);
    case 'SMALLER':
      return compare(actual, value, (a, b) => a < b);
    case 'LARGER_EQUAL':
      return compare(actual, value, (a, b) => a >= b);
    case 'SMALLER_EQUAL':
      return compare(actual, value, (a, b) => a <= b);
    case 'IN':
      return isScalar(actual) && list(value).some((item) => isEqual(actual, item));
    case 'NOT_IN':
      return !(isScalar(actual) && list(value).some((item) => isEqual(actual, item)));
    case 'ALL_IN': {
      const items = actualItems(actual);
      return items !== undefined && list(value).every((wanted) => items.some((item) => isEqual(item, wanted)));
    }
    case 'ANY_IN': {
      const items = actualItems(actual);
      return items !== undefined && list(value).some((wanted) => items.some((item) => isEqual(item, wanted)));
    }
    case 'BETWEEN':
      return isBetween(actual, value);
    case 'NOT_BETWEEN':
      return !isBetween(actual, value);
    case 'LIKE':
      return isLike(actual, value);
    case 'NOT_LIKE':
      return !isLike(actual, value);
    case 'IS_DEFINED':
      return actual !== undefined && actual !== null;
    default:
      return false;
  }
}

type Scalar = string | number | boolean;

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A finite number from a number or a numeric text (`" 3.5 "`), else undefined. Blank text is not a number. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** Numbers compare as numbers (`"10"` equals `10.0`); everything else as exact text (`true` equals `"true"`). */
function isEqual(actual: unknown, value: string): boolean {
  if (!isScalar(actual)) return false;
  const a = toNumber(actual);
  const b = toNumber(value);
  if (a !== undefined && b !== undefined) return a === b;
  return String(actual) === value;
}

function compare(actual: unknown, value: string, test: (a: number, b: number) => boolean): boolean {
  const a = toNumber(actual);
  const b = toNumber(value);
  return a !== undefined && b !== undefined && test(a, b);
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** An array's scalar items; a scalar counts as a one-item list; anything else (absent, object) as none. */
function actualItems(actual: unknown): Scalar[] | undefined {
  if (Array.isArray(actual)) return actual.filter(isScalar);
  return isScalar(actual) ? [actual] : undefined;
}

/** Inclusive on both ends; the value is `low,high` (two numbers, either order is not accepted: low ≤ high). */
function isBetween(actual: unknown, value: string): boolean {
  const bounds = list(value);
  if (bounds.length !== 2) return false;
  const low = toNumber(bounds[0]);
  const high = toNumber(bounds[1]);
  const a = toNumber(actual);
  return low !== undefined && high !== undefined && a !== undefined && low <= a && a <= high;
}

/**
 * Case-insensitive. Without `%`: the text contains the value. With `%`: the whole text matches the
 * pattern, `%` standing for any run of characters (`acme%` = starts with, `%corp` = ends with). A
 * greedy-free segment scan: linear in text × segments, no regular expression.
 */
function isLike(actual: unknown, value: string): boolean {
  if (!isScalar(actual)) return false;
  const text = String(actual).toLowerCase();
  const pattern = value.toLowerCase();
  if (!pattern.includes('%')) return text.includes(pattern);
  const segments = pattern.split('%');
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (!text.startsWith(first)) return false;
  let position = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    if (segment === '') continue;
    const found = text.indexOf(segment, position);
    if (found < 0) return false;
    position = found + segment.length;
  }
  return text.length - last.length >= position && text.endsWith(last);
}
