// The only public entry of the tenancy library (import path `@app/tenancy`).
export { TenancyModule } from './tenancy.module';
export {
  TenancyModuleOptions,
  DEFAULT_SESSION_TOKEN_TTL_SECONDS,
  DEFAULT_API_KEY_CACHE_TTL_MS,
  API_KEY_CACHE_MAX_ENTRIES,
} from './tenancy.module-definition';
export { BootstrapOrganization } from './application/bootstrap-organization/bootstrap-organization.use-case';
export { BootstrapOrganizationCommand } from './application/bootstrap-organization/bootstrap-organization.command';
export { BootstrapResult } from './application/bootstrap-organization/bootstrap-result';
export { AuthenticateApiKey } from './application/authenticate-api-key/authenticate-api-key.use-case';
// Counting API-key cache hits and misses: a host passes its observer as `apiKeyLookupObserver`.
export { ApiKeyLookupObserver } from './application/ports/api-key-lookup-observer';
export { RevokeApiKey } from './application/revoke-api-key/revoke-api-key.use-case';
export { ListApiKeys } from './application/list-api-keys/list-api-keys.use-case';
export { CreateApiKey, CreatedApiKey } from './application/create-api-key/create-api-key.use-case';
export {
  MintSessionToken,
  MintSessionTokenCommand,
  MintedSessionToken,
} from './application/mint-session-token/mint-session-token.use-case';
export { SessionTokens } from './application/session-tokens/session-tokens';
export { SessionClaims, SessionSubject } from './application/session-tokens/session-claims';
export { EnvironmentsQuery } from './application/queries/environments.query';
export { OrganizationsQuery } from './application/queries/organizations.query';
export { Organization, DEFAULT_ORGANIZATION_NAME } from './domain/organization';
export { Environment, DEFAULT_ENVIRONMENT_NAMES, DefaultEnvironmentName } from './domain/environment';
export { ApiKey, ApiKeyPrincipal, ApiKeySummary } from './domain/api-key';
export { User } from './domain/user';
export { TenancyError, TenancyErrorCode, TENANCY_ERROR_CODES } from './domain/tenancy.errors';
// What a host registers in its own TypeORM data source.
export { tenancyEntities, tenancyMigrations } from './infrastructure/typeorm/typeorm-schema';
