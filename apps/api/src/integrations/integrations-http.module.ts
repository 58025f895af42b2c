import { Module } from '@nestjs/common';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { IntegrationResponseMapper } from './integration.response-mapper';
import { IntegrationsController } from './integrations.controller';

/**
 * The HTTP face of the integrations library. Expects the host (AppModule) to import
 * `IntegrationsModule.forRoot(...)` (for the use cases) and `TenancyModule` (for the guard's
 * AuthenticateApiKey / SessionTokens / EnvironmentsQuery) as global modules.
 */
@Module({
  controllers: [IntegrationsController],
  providers: [ApiAuthGuard, IntegrationResponseMapper],
})
export class IntegrationsHttpModule {}
