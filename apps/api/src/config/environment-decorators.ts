import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/**
 * The building blocks of the environment schema (`environment-variables.ts`). Messages leave out the
 * variable's name: `loadConfig` prefixes every problem with the property, which is the variable.
 */

/**
 * One rule of a variable: its problems (none when the value is fine), given the transformed value
 * and the whole environment (production rules read NODE_ENV).
 */
export type Rule<T, Env extends object = object> = (value: T, env: Env) => string | readonly string[] | undefined;

/**
 * A variable's own rules, checked in the order written and all reported. At most one `Rules(...)`
 * (or `WholeNumber`/`Flag`, which are built on it) per property: class-validator keys a property's
 * messages by constraint name, and runs stacked decorators bottom-up. A rule may report several
 * problems (one per bad list entry): they travel as lines of one message, which `loadConfig` splits.
 */
export function Rules<T, Env extends object = object>(...rules: readonly Rule<T, Env>[]): PropertyDecorator {
  const problems = (value: T, env: Env): string[] => rules.flatMap((rule) => rule(value, env) ?? []);
  return ValidateBy({
    name: 'rules',
    validator: {
      validate: (value: T, args) => problems(value, args!.object as Env).length === 0,
      defaultMessage: (args) => problems(args!.value as T, args!.object as Env).join('\n'),
    },
  });
}

/** Digits only, within [min, max]. "1.5", "-1", "2s" are not whole numbers. */
export function WholeNumber(min: number, max: number): PropertyDecorator {
  const toNumber = Transform(({ value }: { value: string }) => (/^\d+$/.test(value) ? Number(value) : value));
  const rule = Rules<number | string>((value) => {
    if (typeof value === 'string') return `must be a whole number (got "${value}")`;
    if (value < min || value > max) return `must be between ${min} and ${max} (got ${value})`;
    return undefined;
  });
  return (target, property) => {
    toNumber(target, property);
    rule(target, property);
  };
}

/** true/1/yes or false/0/no, any case. */
export function Flag(): PropertyDecorator {
  const toBoolean = Transform(({ value }: { value: string }) => {
    if (/^(true|1|yes)$/i.test(value)) return true;
    if (/^(false|0|no)$/i.test(value)) return false;
    return value;
  });
  const rule = Rules<boolean | string>((value) => (typeof value === 'boolean' ? undefined : `must be true or false (got "${value}")`));
  return (target, property) => {
    toBoolean(target, property);
    rule(target, property);
  };
}

/** The message of `@IsIn(values)`. */
export function oneOf(values: readonly string[]): (args: { value: unknown }) => string {
  return ({ value }) => `must be one of ${values.join(', ')} (got "${String(value)}")`;
}

/** Set in production, where there is no development default for it. */
export function requiredInProduction<T>(hint: string): Rule<T | undefined, { NODE_ENV?: string }> {
  return (value, env) => (value === undefined && env.NODE_ENV === 'production' ? `required in production (${hint})` : undefined);
}
