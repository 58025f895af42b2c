import { Module, Provider } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKeyCache } from './application/api-key-cache/api-key-cache';
import { AuthenticateApiKey } from './application/authenticate-api-key/authenticate-api-key.use-case';
import { BootstrapOrganization } from './application/bootstrap-organization/bootstrap-organization.use-case';
import { ApiKeyRepository } from './application/ports/api-key.repository';
import { Clock } from './application/ports/clock';
import { EnvironmentRepository } from './application/ports/environment.repository';
import { OrganizationRepository } from './application/ports/organization.repository';
import { EnvironmentsQuery } from './application/queries/environments.query';
import { OrganizationsQuery } from './application/queries/organizations.query';
import { RevokeApiKey } from './application/revoke-api-key/revoke-api-key.use-case';
import { SessionTokens } from './application/session-tokens/session-tokens';
import { SystemClock } from './infrastructure/clock/system.clock';
import { TypeOrmApiKeyRepository } from './infrastructure/typeorm/typeorm-api-key.repository';
import { TypeOrmEnvironmentRepository } from './infrastructure/typeorm/typeorm-environment.repository';
import { TypeOrmOrganizationRepository } from './infrastructure/typeorm/typeorm-organization.repository';
import { tenancyEntities } from './infrastructure/typeorm/typeorm-schema';
import {
  API_KEY_CACHE_MAX_ENTRIES,
  DEFAULT_API_KEY_CACHE_TTL_MS,
  DEFAULT_SESSION_TOKEN_TTL_SECONDS,
  TENANCY_MODULE_OPTIONS,
  TenancyConfigurableModule,
  TenancyModuleOptions,
} from './tenancy.module-definition';

const EXPORTED = [BootstrapOrganization, AuthenticateApiKey, RevokeApiKey, SessionTokens, EnvironmentsQuery, OrganizationsQuery];

/**
 * The application and infrastructure classes are plain (no Nest decorators) and wired here with
 * factories, so they can be built with `new` in tests and stay free of the framework.
 */
const PROVIDERS: Provider[] = [
  { provide: Clock, useValue: new SystemClock() },
  { provide: OrganizationRepository, useFactory: (ds: DataSource) => new TypeOrmOrganizationRepository(ds), inject: [getDataSourceToken()] },
  { provide: EnvironmentRepository, useFactory: (ds: DataSource) => new TypeOrmEnvironmentRepository(ds), inject: [getDataSourceToken()] },
  { provide: ApiKeyRepository, useFactory: (ds: DataSource) => new TypeOrmApiKeyRepository(ds), inject: [getDataSourceToken()] },
  {
    provide: SessionTokens,
    useFactory: (options: TenancyModuleOptions, clock: Clock) =>
      new SessionTokens({ secret: options.jwtSecret, ttlSeconds: options.sessionTokenTtlSeconds ?? DEFAULT_SESSION_TOKEN_TTL_SECONDS }, clock),
    inject: [TENANCY_MODULE_OPTIONS, Clock],
  },
  {
    provide: ApiKeyCache,
    useFactory: (options: TenancyModuleOptions, clock: Clock) =>
      new ApiKeyCache({ ttlMs: options.apiKeyCacheTtlMs ?? DEFAULT_API_KEY_CACHE_TTL_MS, maxEntries: API_KEY_CACHE_MAX_ENTRIES }, clock),
    inject: [TENANCY_MODULE_OPTIONS, Clock],
  },
  {
    provide: BootstrapOrganization,
    useFactory: (organizations: OrganizationRepository, tokens: SessionTokens) => new BootstrapOrganization(organizations, tokens),
    inject: [OrganizationRepository, SessionTokens],
  },
  {
    provide: AuthenticateApiKey,
    useFactory: (apiKeys: ApiKeyRepository, cache: ApiKeyCache) => new AuthenticateApiKey(apiKeys, cache),
    inject: [ApiKeyRepository, ApiKeyCache],
  },
  {
    provide: RevokeApiKey,
    useFactory: (apiKeys: ApiKeyRepository, cache: ApiKeyCache, clock: Clock) => new RevokeApiKey(apiKeys, cache, clock),
    inject: [ApiKeyRepository, ApiKeyCache, Clock],
  },
  {
    provide: EnvironmentsQuery,
    useFactory: (environments: EnvironmentRepository) => new EnvironmentsQuery(environments),
    inject: [EnvironmentRepository],
  },
  {
    provide: OrganizationsQuery,
    useFactory: (organizations: OrganizationRepository) => new OrganizationsQuery(organizations),
    inject: [OrganizationRepository],
  },
];

/**
 * Organizations, environments, API keys, users and session tokens. Hosts import
 * `TenancyModule.forRoot({ jwtSecret })` (or `forRootAsync`) next to their own
 * `TypeOrmModule.forRoot(...)` that registers `tenancyEntities` and runs `tenancyMigrations`
 * (before the integrations migrations).
 */
@Module({
  imports: [TypeOrmModule.forFeature(tenancyEntities)],
  providers: PROVIDERS,
  exports: EXPORTED,
})
export class TenancyModule extends TenancyConfigurableModule {}
