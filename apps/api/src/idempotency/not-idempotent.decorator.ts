import { SetMetadata } from '@nestjs/common';

export const NOT_IDEMPOTENT = 'idempotency:exempt';

/**
 * A POST route that writes nothing (a read with a body, e.g. `POST /v1/integrations/select`): the
 * idempotency interceptor lets it through as a plain request, with or without an `idempotency-key`
 * header — nothing is stored, no lock is taken, no `Idempotency-Key` header is sent back.
 */
export const NotIdempotent = (): MethodDecorator => SetMetadata(NOT_IDEMPOTENT, true);
