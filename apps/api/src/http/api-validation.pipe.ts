import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { RequestValidationException, validationExceptionFactory } from './request-validation';

export const BODY_NOT_OBJECT_MESSAGE = 'The request body must be a JSON object';

/**
 * The global ValidationPipe: whitelist + forbidNonWhitelisted (unknown keys at any depth → 422
 * naming them), transform, and 422 errors keyed by dotted path. A body that is not a JSON object
 * (array, string, number, `null`) is a 422 too. NUL characters and excessive nesting never get here:
 * BodyShapeInterceptor refuses them first. An absent body is validated as `{}`.
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
    return super.transform(value, metadata);
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
