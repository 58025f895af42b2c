import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiAuthGuard } from './api-auth.guard';

/** Name of the OpenAPI security scheme for `Authorization: ApiKey <secret>` (same as Novu's). */
export const API_KEY_SECURITY_SCHEME = 'secretKey';
/** Name of the OpenAPI security scheme for `Authorization: Bearer <session token>`. */
export const BEARER_SECURITY_SCHEME = 'bearer';

/** Requires an API key or a session token, and documents both schemes (either one suffices). */
export function Auth(): ClassDecorator & MethodDecorator {
  return applyDecorators(UseGuards(ApiAuthGuard), ApiSecurity(API_KEY_SECURITY_SCHEME), ApiBearerAuth(BEARER_SECURITY_SCHEME));
}
