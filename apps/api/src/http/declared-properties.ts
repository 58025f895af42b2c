import { FieldProblems } from '@app/integrations';
import { getMetadataStorage } from 'class-validator';
import type { MetadataStorage as TransformMetadataStorage } from 'class-transformer/types/MetadataStorage';

// class-transformer's own `@Type` registry; the package exposes it only under this path (as
// @nestjs/mapped-types, which copies `@Type` metadata for PickType and friends, reads it).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS subpath without typings: `import` would need a declaration file for one constant
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformMetadataStorage };

type DtoClass = abstract new (...args: never[]) => unknown;

/** What a DTO class declares: its validated properties, and for some of them the DTO they hold. */
interface DeclaredShape {
  readonly properties: ReadonlySet<string>;
  /** Properties whose value is another DTO (or an array of them), by `@Type`. */
  readonly nested: ReadonlyMap<string, DtoClass>;
}

const shapes = new WeakMap<DtoClass, DeclaredShape | null>();

/**
 * The properties `dto` declares (those with class-validator metadata: the ones its whitelist lets
 * through) and the DTO class of each nested one (class-transformer's `@Type`), or null when `dto`
 * declares none (not a DTO: below it the value is free-form, like `tlsOptions`).
 */
function declaredShape(dto: DtoClass): DeclaredShape | null {
  const cached = shapes.get(dto);
  if (cached !== undefined) return cached;
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  let shape: DeclaredShape | null = null;
  if (metadatas.length > 0) {
    const properties = new Set(metadatas.map((m) => m.propertyName));
    const nested = new Map<string, DtoClass>();
    for (const property of properties) {
      const type = defaultMetadataStorage.findTypeMetadata(dto, property)?.typeFunction?.();
      if (typeof type === 'function') nested.set(property, type as DtoClass);
    }
    shape = { properties, nested };
  }
  shapes.set(dto, shape);
  return shape;
}

/** At most this many undeclared properties are reported. */
const MAX_PROBLEMS = 20;

/**
 * Every property of `value` (a plain JSON value, before class-transformer sees it) that the DTO
 * at its place does not declare, at any depth, keyed by dotted path. Compares each object's own
 * keys with the declared ones. class-validator's whitelist cannot do this for names such as
 * `toString`, `constructor` or `hasOwnProperty`: class-transformer drops a key whose name is a
 * function on the new instance, so the whitelist never sees it and the key vanishes without a 422.
 * Objects of properties without a DTO type (`credentials.tlsOptions`) are free-form: any key is
 * declared there, except the names of `Object.prototype` members, which class-transformer drops
 * from them just the same (the object would be stored without them, and answered 201). Iterative,
 * one visit per value; the body has passed BodyShapeInterceptor's caps.
 */
export function undeclaredPropertyProblems(value: unknown, dto: DtoClass): FieldProblems {
  const problems: FieldProblems = {};
  let count = 0;
  // dto null: a free-form value (a declared property without a DTO type).
  const stack: { value: unknown; dto: DtoClass | null; path: string }[] = [{ value, dto, path: '' }];
  while (stack.length > 0 && count < MAX_PROBLEMS) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== 'object') continue;
    if (Array.isArray(item.value)) {
      // An array where a DTO is declared (`conditions`): each item is that DTO.
      item.value.forEach((child, i) => stack.push({ value: child, dto: item.dto, path: join(item.path, String(i)) }));
      continue;
    }
    const shape = item.dto === null ? null : declaredShape(item.dto);
    for (const key of Object.keys(item.value)) {
      const path = join(item.path, key);
      const child = (item.value as Record<string, unknown>)[key];
      if (shape === null) {
        if (key in Object.prototype) {
          if (count++ < MAX_PROBLEMS)
            problems[path] = { messages: [`property ${key} is not allowed (it names a built-in member of every object)`] };
          continue;
        }
        stack.push({ value: child, dto: null, path });
        continue;
      }
      if (!shape.properties.has(key)) {
        if (count++ < MAX_PROBLEMS) problems[path] = { messages: [`property ${key} should not exist`] };
        continue;
      }
      stack.push({ value: child, dto: shape.nested.get(key) ?? null, path });
    }
  }
  return problems;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
