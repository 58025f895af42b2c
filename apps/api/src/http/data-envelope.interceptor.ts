import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, Observable } from 'rxjs';
import { NO_ENVELOPE } from './no-envelope';

/**
 * Wraps every successful result as exactly `{data: <result>}` (the SDK unwraps a lone `data` key),
 * except on handlers or controllers marked `@NoEnvelope()` (the health probes).
 */
@Injectable()
export class DataEnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const raw = Reflect.getMetadata(NO_ENVELOPE, context.getHandler()) ?? Reflect.getMetadata(NO_ENVELOPE, context.getClass());
    if (raw === true) return next.handle();
    return next.handle().pipe(map((data: unknown) => ({ data })));
  }
}
