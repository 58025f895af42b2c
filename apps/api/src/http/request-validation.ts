import { FieldProblems } from '@app/integrations';
import { HttpStatus, UnprocessableEntityException } from '@nestjs/common';
import { ValidationError } from 'class-validator';

export const VALIDATION_ERROR_MESSAGE = 'Validation Error';

/** A 422 whose body carries `errors` keyed by dotted property path (rendered by HttpExceptionFilter). */
export class RequestValidationException extends UnprocessableEntityException {
  constructor(readonly errors: FieldProblems) {
    super({ statusCode: HttpStatus.UNPROCESSABLE_ENTITY, message: VALIDATION_ERROR_MESSAGE, errors });
  }
}

/**
 * The 422 `value` echo is an allow-list: a value comes back only for a property we know and that
 * never holds a secret, and only when it is a short scalar. Everything else is named by its path
 * alone: unknown keys (a misspelled `credentilas` would otherwise echo the whole credential set),
 * anything under `credentials`, the webhook signing key, objects, arrays and long strings.
 * Patterns are dotted paths with `#` for an array index.
 */
const ECHOABLE_PATHS: ReadonlySet<string> = new Set([
  'providerId',
  'channel',
  'kind',
  'active',
  'check',
  '_environmentId',
  'name',
  'identifier',
  'conditions',
  'conditions.#',
  'conditions.#.isNegated',
  'conditions.#.type',
  'conditions.#.value',
  'conditions.#.children',
  'conditions.#.children.#',
  'conditions.#.children.#.field',
  'conditions.#.children.#.value',
  'conditions.#.children.#.operator',
  'conditions.#.children.#.on',
  'configurations.inboxCount',
  'configurations.inboundWebhookEnabled',
  'configurations.configurationSetName',
]);

/** Longest string echoed back; a longer one is named by its path only (a 10 kB name is not returned). */
export const MAX_ECHOED_STRING_LENGTH = 128;

/** The class-validator constraint of `forbidNonWhitelisted`: the key itself is unknown, its value never echoed. */
const UNKNOWN_KEY_CONSTRAINT = 'whitelistValidation';

function pathPattern(path: string): string {
  return path
    .split('.')
    .map((segment) => (/^\d+$/.test(segment) ? '#' : segment))
    .join('.');
}

function isShortScalar(value: unknown): boolean {
  if (typeof value === 'boolean' || value === null) return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && value.length <= MAX_ECHOED_STRING_LENGTH && !hasLoneSurrogate(value);
}

/** A lone UTF-16 surrogate cannot be encoded as JSON text faithfully; such a value is not echoed. */
function hasLoneSurrogate(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/** Whether a 422 may echo `value` for the property at `path` (dotted, array indexes included). */
export function mayEchoValue(path: string, value: unknown): boolean {
  return value !== undefined && ECHOABLE_PATHS.has(pathPattern(path)) && isShortScalar(value);
}

/**
 * The same echo policy for a problem list built anywhere (the domain's 422s too): `value` is kept
 * only where `mayEchoValue` allows it.
 */
export function redactFieldProblems(problems: FieldProblems): FieldProblems {
  const out: FieldProblems = {};
  for (const [path, problem] of Object.entries(problems)) {
    out[path] = mayEchoValue(path, problem.value) ? { messages: problem.messages, value: problem.value } : { messages: problem.messages };
  }
  return out;
}

/**
 * class-validator's error tree → `{"credentials.apiKey": {messages, value?}, "conditions.0.children.0.operator": …}`.
 * Paths are dotted, array indexes included.
 */
export function flattenValidationErrors(errors: readonly ValidationError[], parentPath = ''): FieldProblems {
  const out: FieldProblems = {};
  for (const error of errors) {
    const path = parentPath ? `${parentPath}.${error.property}` : String(error.property);
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) {
      const entry: { messages: string[]; value?: unknown } = { messages: [...(out[path]?.messages ?? []), ...messages] };
      const unknownKey = error.constraints !== undefined && UNKNOWN_KEY_CONSTRAINT in error.constraints;
      if (!unknownKey && mayEchoValue(path, error.value)) entry.value = error.value;
      out[path] = entry;
    }
    if (error.children?.length) Object.assign(out, flattenValidationErrors(error.children, path));
  }
  return out;
}

/** The ValidationPipe's `exceptionFactory`: a 422 with every failing path. */
export function validationExceptionFactory(errors: ValidationError[]): RequestValidationException {
  return new RequestValidationException(flattenValidationErrors(errors));
}
