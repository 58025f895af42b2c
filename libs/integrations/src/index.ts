// The only public entry of the integrations library: `@app/integrations` inside this repository, the
// package `@integrations-service/integrations` for other hosts (libs/integrations/package.json).
export { IntegrationsModule } from './integrations.module';
export type {
  IntegrationsModuleOptions,
  EncryptionKey,
  OutboundUrlsOptions,
  CredentialsCheckOptions,
  IntegrationsModuleExtras,
  SelectionCacheModuleOptions,
} from './integrations.module-definition';

export { CreateIntegration } from './application/create-integration/create-integration.use-case';
export type { CreateIntegrationCommand } from './application/create-integration/create-integration.command';
export type { IntegrationWriteResult } from './application/integration-write-result';
export type { CredentialsCheckOutcome } from './application/credentials-vetting/credentials-vetting';
export { ListIntegrations } from './application/list-integrations/list-integrations.use-case';
export type { ListIntegrationsCommand } from './application/list-integrations/list-integrations.use-case';
export { UpdateIntegration } from './application/update-integration/update-integration.use-case';
export type { UpdateIntegrationCommand } from './application/update-integration/update-integration.command';
export { SetIntegrationAsPrimary } from './application/set-integration-as-primary/set-integration-as-primary.use-case';
export type { SetIntegrationAsPrimaryCommand } from './application/set-integration-as-primary/set-integration-as-primary.use-case';
export { DeleteIntegration } from './application/delete-integration/delete-integration.use-case';
export type { DeleteIntegrationCommand } from './application/delete-integration/delete-integration.use-case';
export { ReencryptCredentials } from './application/reencrypt-credentials/reencrypt-credentials.use-case';
export type { ReencryptCredentialsCommand } from './application/reencrypt-credentials/reencrypt-credentials.use-case';
export { SelectIntegration } from './application/select-integration/select-integration.use-case';
export type { IntegrationSelection, SelectionCandidate } from './application/select-integration/select-integration.use-case';
export type { SelectIntegrationCommand } from './application/select-integration/select-integration.command';
export type { Actor } from './application/actor';
export { CredentialsCipher } from './application/ports/credentials-cipher';
// A host with its own environments table implements this port and passes it as `environmentDirectory`.
export { EnvironmentDirectory } from './application/ports/environment-directory';
export type { EnvironmentRef } from './application/ports/environment-directory';
export type { EncryptedValue } from './application/ports/credentials-cipher';
export { CredentialsCheckFailed } from './domain/credentials-check.errors';
export type { CredentialsCheckFailureReason } from './domain/credentials-check.errors';
// Counting credentials checks: a host passes its observer as `credentialsCheckObserver`.
export { CredentialsCheckObserver } from './application/ports/credentials-check-observer';
export type { CredentialsCheckReport } from './application/ports/credentials-check-observer';
// Sharing the use cases' transaction: a host that writes its own tables atomically with them runs
// its work in UnitOfWork.run (exported by IntegrationsModule) and writes through the handle it gets.
export { UnitOfWork } from './application/ports/unit-of-work';
export type { DeferredOptions, DeferredTransaction, TransactionHandle } from './application/ports/unit-of-work';

export * from './domain/integration';
export * from './domain/conditions';
export { evaluateConditions } from './domain/condition-evaluation';
export type { TenantContext, ConditionContext, ConditionVerdict } from './domain/condition-evaluation';
export { ChannelIntegrations } from './domain/channel-integrations';
export type { ChannelMember, ChannelWrite, IntegrationChanges } from './domain/channel-integrations';
export { NovuDemoProviders } from './domain/novu-demo-providers';
export { IntegrationError, INTEGRATION_ERROR_CODES } from './domain/integration.errors';
export type { IntegrationErrorCode, FieldProblems } from './domain/integration.errors';
export { ProviderCatalog } from './domain/provider-catalog';
export type { ProviderDescriptor } from './domain/provider-catalog';
// What a host registers in its own TypeORM data source.
export { integrationsEntities, integrationsMigrations } from './infrastructure/typeorm/typeorm-schema';
