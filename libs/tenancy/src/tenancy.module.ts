import { Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { API_KEY_CACHE_OPTIONS, ApiKeyCache, ApiKeyCacheOptions } from './application/api-key-cache/api-key-cache';
import { ApiKeyRevocations } from './application/api-key-revocations/api-key-revocations';
import { ApiKeyUsage } from './application/api-key-usage/api-key-usage';
import { AuthenticateApiKey } from './application/authenticate-api-key/authenticate-api-key.use-case';
import { CreateApiKey } from './application/create-api-key/create-api-key.use-case';
import { ListApiKeys } from './application/list-api-keys/list-api-keys.use-case';
import { MintSessionToken } from './application/mint-session-token/mint-session-token.use-case';
import { ApiKeyRevocationFeed } from './application/ports/api-key-revocation-feed';
import { UserRepository } from './application/ports/user.repository';
import { BootstrapOrganization } from './application/bootstrap-organization/bootstrap-organization.use-case';
import { ApiKeyLookupObserver, IgnoredApiKeyLookups } from './application/ports/api-key-lookup-observer';
import { ApiKeyRepository } from './application/ports/api-key.repository';
import { Clock } from './application/ports/clock';
import { EnvironmentRepository } from './application/ports/environment.repository';
import { OrganizationRepository } from './application/ports/organization.repository';
import { EnvironmentsQuery } from './application/queries/environments.query';
import { OrganizationsQuery } from './application/queries/organizations.query';
import { RevokeApiKey } from './application/revoke-api-key/revoke-api-key.use-case';
import { SessionTokens, SessionTokensOptions } from './application/session-tokens/session-tokens';
import { SESSION_TOKENS_OPTIONS } from './application/session-tokens/session-tokens.options';
import { PgApiKeyRevocationFeed } from './infrastructure/postgres/pg-api-key-revocation-feed';
import { TypeOrmUserRepository } from './infrastructure/typeorm/typeorm-user.repository';
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

const USE_CASES = [
  BootstrapOrganization,
  AuthenticateApiKey,
  RevokeApiKey,
  ListApiKeys,
  CreateApiKey,
  MintSessionToken,
  SessionTokens,
  EnvironmentsQuery,
  OrganizationsQuery,
];

/**
 * Every class is `@Injectable()` and bound by class (the integrations library's style); each one
 * receives only the values it uses (the cache its TTL, the token signer its secret and lifetime),
 * derived here from the module options, so tests keep building them with `new`.
 */
const PROVIDERS: Provider[] = [
  ...USE_CASES,
  ApiKeyCache,
  ApiKeyUsage,
  ApiKeyRevocations,
  { provide: ApiKeyRevocationFeed, useClass: PgApiKeyRevocationFeed },
  { provide: UserRepository, useClass: TypeOrmUserRepository },
  { provide: Clock, useClass: SystemClock },
  { provide: OrganizationRepository, useClass: TypeOrmOrganizationRepository },
  { provide: EnvironmentRepository, useClass: TypeOrmEnvironmentRepository },
  { provide: ApiKeyRepository, useClass: TypeOrmApiKeyRepository },
  {
    provide: SESSION_TOKENS_OPTIONS,
    useFactory: (options: TenancyModuleOptions): SessionTokensOptions => ({
      secret: options.jwtSecret,
      previousSecrets: options.previousJwtSecrets ?? [],
      ttlSeconds: options.sessionTokenTtlSeconds ?? DEFAULT_SESSION_TOKEN_TTL_SECONDS,
    }),
    inject: [TENANCY_MODULE_OPTIONS],
  },
  {
    provide: ApiKeyLookupObserver,
    useFactory: (options: TenancyModuleOptions) => options.apiKeyLookupObserver ?? new IgnoredApiKeyLookups(),
    inject: [TENANCY_MODULE_OPTIONS],
  },
  {
    provide: API_KEY_CACHE_OPTIONS,
    useFactory: (options: TenancyModuleOptions): ApiKeyCacheOptions => ({
      ttlMs: options.apiKeyCacheTtlMs ?? DEFAULT_API_KEY_CACHE_TTL_MS,
      maxEntries: API_KEY_CACHE_MAX_ENTRIES,
    }),
    inject: [TENANCY_MODULE_OPTIONS],
  },
];

/**
 * Organizations, environments, API keys, users and session tokens. Hosts import
 * `TenancyModule.forRoot({ jwtSecret })` (or `forRootAsync`) next to their own
 * `TypeOrmModule.forRoot(...)` that registers `tenancyEntities` and runs `tenancyMigrations`
 * (before the integrations migrations).
 *
 * Each `forRoot` call is a new module instance (its own API-key cache): configure it once per
 * application and import that same module object wherever the use cases are needed (Nest keeps one
 * instance of one module object). Every instance listens for revocations on its own PostgreSQL
 * connection (LISTEN api_key_revoked) from application bootstrap to shutdown, so a key revoked by
 * any process leaves every cache at once.
 */
@Module({
  imports: [TypeOrmModule.forFeature(tenancyEntities)],
  providers: PROVIDERS,
  exports: USE_CASES,
})
export class TenancyModule extends TenancyConfigurableModule {}
