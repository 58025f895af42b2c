import { createParamDecorator, ExecutionContext, InternalServerErrorException } from '@nestjs/common';
import { AuthenticatedRequest } from './authenticated-request';

/** The `Actor` that `ApiAuthGuard` resolved. Only valid on routes protected by `@Auth()`. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.actor) {
    // A programming error (route without @Auth()), not a client error: the catch-all filter answers 500.
    throw new InternalServerErrorException('No authenticated actor on the request');
  }
  return request.actor;
});
