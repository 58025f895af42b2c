import { FieldProblems } from '@app/integrations';
import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { undeclaredPropertyProblems } from './declared-properties';
import { RequestValidationException, validationExceptionFactory } from './request-validation';

export const BODY_NOT_OBJECT_MESSAGE = 'The request body must be a JSON object';

/**
 * The global ValidationPipe: whitelist + forbidNonWhitelisted (unknown keys at any depth → 422
 * naming them), transform, and 422 errors keyed by dotted path. A body that is not a JSON object
 * (array, string, number, `null`) is a 422 too. Properties the DTO does not declare are found on
 * the plain value first (undeclaredPropertyProblems: the whitelist misses names like `toString`)
 * and reported together with class-validator's problems. NUL characters, ill-formed text, excessive
 * nesting and oversized bodies never get here: BodyShapeInterceptor refuses them first. An absent
 * body is validated as `{}`.
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: true },
      exceptionFactory: validationExceptionFactory,
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && isDtoClass(metadata.metatype) && value !== undefined && !isPlainObject(value)) {
      throw new RequestValidationException({ body: { messages: [BODY_NOT_OBJECT_MESSAGE] } });
    }
    const undeclared = isDtoClass(metadata.metatype) && isPlainObject(value) ? undeclaredPropertyProblems(value, metadata.metatype!) : {};
    if (Object.keys(undeclared).length === 0) return super.transform(value, metadata);
    let validated: FieldProblems = {};
    try {
      await super.transform(value, metadata);
    } catch (error) {
      if (!(error instanceof RequestValidationException)) throw error;
      validated = error.errors;
    }
    // The same message as the whitelist's, and never the value (it may be a misplaced secret).
    throw new RequestValidationException({ ...validated, ...undeclared });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const PRIMITIVE_TYPES: readonly unknown[] = [String, Boolean, Number, Array, Object, Buffer];

function isDtoClass(metatype: ArgumentMetadata['metatype']): boolean {
  return typeof metatype === 'function' && !PRIMITIVE_TYPES.includes(metatype);
}
