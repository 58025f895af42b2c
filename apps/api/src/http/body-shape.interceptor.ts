import { CallHandler, ExecutionContext, Injectable, NestInterceptor, PayloadTooLargeException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { inspectBodyShape, MAX_BODY_NODES } from './body-shape';
import { RequestValidationException } from './request-validation';

export const TOO_MANY_NODES_MESSAGE = `The request body holds more than ${MAX_BODY_NODES} JSON values`;

/**
 * Refuses bodies over the caps of body-shape.ts, with NUL characters or with ill-formed text: 413
 * when the body holds more than MAX_BODY_NODES values (a size problem of the whole body, like
 * Fastify's own byte limit), else 422 naming each path. Registered as the outermost interceptor:
 * after the guards (401 comes first) but before every consumer of the body — the idempotency
 * interceptor fingerprints it, class-transformer converts it, and both recurse.
 */
@Injectable()
export class BodyShapeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const body = context.switchToHttp().getRequest<FastifyRequest>().body;
      if (body !== undefined) {
        const shape = inspectBodyShape(body);
        if (shape.overNodeLimit) throw new PayloadTooLargeException(TOO_MANY_NODES_MESSAGE);
        if (Object.keys(shape.problems).length > 0) throw new RequestValidationException(shape.problems);
      }
    }
    return next.handle();
  }
}
