import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActorEnvironments } from './application/access/integration-access';
import { CreateIntegration } from './application/create-integration/create-integration.use-case';
import { DeleteIntegration } from './application/delete-integration/delete-integration.use-case';
import { ReencryptCredentials } from './application/reencrypt-credentials/reencrypt-credentials.use-case';
import { ListIntegrations } from './application/list-integrations/list-integrations.use-case';
import { SetIntegrationAsPrimary } from './application/set-integration-as-primary/set-integration-as-primary.use-case';
import { UpdateIntegration } from './application/update-integration/update-integration.use-case';
import { OutboundUrlChecker } from './application/outbound-urls/outbound-url-checker';
import { CredentialsCipher } from './application/ports/credentials-cipher';
import { CredentialsKeyRotation } from './application/ports/credentials-key-rotation';
import { CredentialsCheckObserver, IgnoredCredentialsChecks } from './application/ports/credentials-check-observer';
import { CredentialsVerifier } from './application/ports/credentials-verifier';
import { HostResolver } from './application/ports/host-resolver';
import { OutboundUrlPolicy } from './application/ports/outbound-url-policy';
import { IntegrationRepository } from './application/ports/integration.repository';
import { UnitOfWork } from './application/ports/unit-of-work';
import { AesGcmCredentialsCipher } from './infrastructure/crypto/aes-gcm-credentials.cipher';
import { IntegrationRecord } from './infrastructure/typeorm/integration.record';
import { TypeOrmCredentialsKeyRotation } from './infrastructure/typeorm/typeorm-credentials-key-rotation';
import { TypeOrmIntegrationRepository } from './infrastructure/typeorm/typeorm-integration.repository';
import { TypeOrmUnitOfWork } from './infrastructure/typeorm/typeorm-unit-of-work';
import { DnsHostResolver } from './infrastructure/verification/dns-host-resolver';
import { ProviderVerifierRegistry } from './infrastructure/verification/provider-verifier.registry';
import { INTEGRATIONS_MODULE_OPTIONS, IntegrationsConfigurableModule, IntegrationsModuleOptions } from './integrations.module-definition';
import { NovuDemoProviders } from './domain/novu-demo-providers';
import { SelectIntegration } from './application/select-integration/select-integration.use-case';
import { DEFAULT_SELECTION_CACHE, SelectionCache } from './application/selection-cache/selection-cache';
import { IntegrationChangeFeed } from './application/ports/integration-change-feed';
import { PgIntegrationChangeFeed } from './infrastructure/typeorm/pg-integration-change-feed';

const USE_CASES = [
  CreateIntegration,
  ListIntegrations,
  UpdateIntegration,
  SetIntegrationAsPrimary,
  DeleteIntegration,
  ReencryptCredentials,
  SelectIntegration,
];

/**
 * The integrations domain library. Hosts import `IntegrationsModule.forRoot({...})` (or
 * `forRootAsync`) next to their own `TypeOrmModule.forRoot(...)` that registers
 * `integrationsEntities` and runs `integrationsMigrations`; then they inject the use cases.
 *
 * The `EnvironmentDirectory` provider comes from the `environmentDirectory` extra (see
 * integrations.module-definition.ts): the tenancy library's table by default, the host's own otherwise.
 *
 * Each `forRoot` call is a new module instance (its own cipher and verifiers): configure it once
 * per application and import that same module object wherever the use cases are needed (Nest
 * keeps one instance of one module object).
 */
@Module({
  imports: [TypeOrmModule.forFeature([IntegrationRecord])],
  providers: [
    ...USE_CASES,
    { provide: IntegrationRepository, useClass: TypeOrmIntegrationRepository },
    { provide: UnitOfWork, useClass: TypeOrmUnitOfWork },
    { provide: CredentialsCipher, useClass: AesGcmCredentialsCipher },
    { provide: CredentialsKeyRotation, useClass: TypeOrmCredentialsKeyRotation },
    OutboundUrlChecker,
    { provide: OutboundUrlPolicy, useExisting: OutboundUrlChecker },
    { provide: HostResolver, useClass: DnsHostResolver },
    { provide: CredentialsVerifier, useClass: ProviderVerifierRegistry },
    { provide: IntegrationChangeFeed, useClass: PgIntegrationChangeFeed },
    {
      // One cache per module instance; it listens to the change feed only when enabled.
      provide: SelectionCache,
      useFactory: (options: IntegrationsModuleOptions, feed: IntegrationChangeFeed) => {
        const cache = new SelectionCache({
          ttlMs: options.selectionCache?.ttlMs ?? DEFAULT_SELECTION_CACHE.ttlMs,
          maxEntries: options.selectionCache?.maxEntries ?? DEFAULT_SELECTION_CACHE.maxEntries,
        });
        if (cache.enabled) feed.subscribe(cache);
        return cache;
      },
      inject: [INTEGRATIONS_MODULE_OPTIONS, IntegrationChangeFeed],
    },
    {
      provide: CredentialsCheckObserver,
      useFactory: (options: IntegrationsModuleOptions) => options.credentialsCheckObserver ?? new IgnoredCredentialsChecks(),
      inject: [INTEGRATIONS_MODULE_OPTIONS],
    },
    {
      provide: NovuDemoProviders,
      useFactory: (options: IntegrationsModuleOptions) => new NovuDemoProviders(options.novuDemoProviders),
      inject: [INTEGRATIONS_MODULE_OPTIONS],
    },
    {
      provide: ActorEnvironments,
      useFactory: (options: IntegrationsModuleOptions) => new ActorEnvironments(options.actorEnvironmentsConfirmed === true),
      inject: [INTEGRATIONS_MODULE_OPTIONS],
    },
  ],
  // Besides the use cases: the unit of work, so hosts can write their own rows in the use cases'
  // transaction (through the TransactionHandle it hands to the work); the cipher, so hosts can keep
  // their own copies of secrets (e.g. stored responses) encrypted. Create and update report what
  // `check: true` did in their result, so the verifier stays inside.
  exports: [...USE_CASES, UnitOfWork, CredentialsCipher],
})
export class IntegrationsModule extends IntegrationsConfigurableModule {}
