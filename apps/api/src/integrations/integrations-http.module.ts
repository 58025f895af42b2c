import { DynamicModule, Module } from '@nestjs/common';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { RateLimitedAuthGuard } from '../rate-limit/rate-limited-auth.guard';
import { IntegrationResponseMapper } from './integration.response-mapper';
import { IntegrationsController } from './integrations.controller';

/** The configured library modules the HTTP face imports: one instance each per application. */
export interface IntegrationsHttpImports {
  /** `IntegrationsModule.forRoot(...)`: the use cases the controller calls. */
  readonly integrations: DynamicModule;
  /** `TenancyModule.forRoot(...)`: AuthenticateApiKey, SessionTokens and EnvironmentsQuery for the guard. */
  readonly tenancy: DynamicModule;
  /** `RateLimitModule.forRoot(...)`: the budgets of the guard. */
  readonly rateLimits: DynamicModule;
}

/**
 * The HTTP face of the integrations library. It imports the library modules itself, as any other
 * host's feature module would; the caller configures them once and passes the same module objects
 * to every module that needs them (see AppModule).
 */
@Module({})
export class IntegrationsHttpModule {
  static register({ integrations, tenancy, rateLimits }: IntegrationsHttpImports): DynamicModule {
    return {
      module: IntegrationsHttpModule,
      imports: [integrations, tenancy, rateLimits],
      controllers: [IntegrationsController],
      providers: [ApiAuthGuard, RateLimitedAuthGuard, IntegrationResponseMapper],
    };
  }
}
