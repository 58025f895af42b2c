import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { RateLimitedAuthGuard } from '../rate-limit/rate-limited-auth.guard';

/** Name of the OpenAPI security scheme for `Authorization: ApiKey <secret>` (same as Novu's). */
export const API_KEY_SECURITY_SCHEME = 'secretKey';
/** Name of the OpenAPI security scheme for `Authorization: Bearer <session token>`. */
export const BEARER_SECURITY_SCHEME = 'bearer';

/**
 * Requires an API key or a session token (ApiAuthGuard, within the rate limits of
 * RateLimitedAuthGuard), and documents both schemes (either one suffices).
 */
export function Auth(): ClassDecorator & MethodDecorator {
  return applyDecorators(UseGuards(RateLimitedAuthGuard), ApiSecurity(API_KEY_SECURITY_SCHEME), ApiBearerAuth(BEARER_SECURITY_SCHEME));
}
