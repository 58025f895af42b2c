import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { bodyShapeProblems } from './body-shape';
import { RequestValidationException } from './request-validation';

/**
 * Refuses bodies nothing downstream can handle (NUL characters, nesting deeper than
 * MAX_BODY_DEPTH) with a 422 naming the path. Registered as the outermost interceptor: after the
 * guards (401 comes first) but before every consumer of the body — the idempotency interceptor
 * fingerprints it, class-transformer converts it, and both recurse.
 */
@Injectable()
export class BodyShapeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const body = context.switchToHttp().getRequest<FastifyRequest>().body;
      if (body !== undefined) {
        const problems = bodyShapeProblems(body);
        if (Object.keys(problems).length > 0) throw new RequestValidationException(problems);
      }
    }
    return next.handle();
  }
}
