import { ConfigurableModuleBuilder, Provider, Type } from '@nestjs/common';
import { EnvironmentDirectory } from './application/ports/environment-directory';
import { TypeOrmEnvironmentDirectory } from './infrastructure/typeorm/typeorm-environment.directory';
import type { CredentialsCheckObserver } from './application/ports/credentials-check-observer';

export interface EncryptionKey {
  /** Short id stored next to every ciphertext (e.g. `k1`). */
  readonly id: string;
  /** 32 random bytes, base64-encoded. */
  readonly key: string;
}

export interface IntegrationsModuleOptions {
  /** The first key encrypts; every key listed can decrypt (rotation). At least one. */
  readonly encryptionKeys: readonly EncryptionKey[];
  /**
   * Whether this server holds delivery credentials for Novu's demo providers. Without them,
   * creating a `novu-email` / `novu-sms` integration is refused.
   */
  readonly novuDemoProviders?: { readonly email?: boolean; readonly sms?: boolean };
  /** Outbound URL safety (docs/contract.md §3 step 5). Everything internal is refused unless allowed here. */
  readonly outboundUrls?: OutboundUrlsOptions;
  /** `check: true` (docs/contract.md §6). */
  readonly credentialsCheck?: CredentialsCheckOptions;
  /** Told the outcome of every credentials check, e.g. to count them (default: nobody). */
  readonly credentialsCheckObserver?: CredentialsCheckObserver;
  /** The in-process cache of `SelectIntegration` (docs/contract.md §8). */
  readonly selectionCache?: SelectionCacheModuleOptions;
  /**
   * The host confirmed the environment of every actor it passes (it authenticated the caller in
   * `actor.environmentId` of `actor.organizationId`), and keeps a foreign key from integrations to
   * its environments (`fk_integrations_environment`): a create in the actor's own environment then
   * skips the `EnvironmentDirectory` lookup (one round trip less). Default false.
   */
  readonly actorEnvironmentsConfirmed?: boolean;
  /**
   * postgres:// URL of a direct (session) connection to the same database, for the dedicated
   * `LISTEN` connection of the selection cache's change feed. Set it when the host's DataSource goes through a
   * transaction pooler (PgBouncer `pool_mode = transaction`), which cannot carry `LISTEN`: the
   * notices would go to whichever server connection ran it. Default: the DataSource's own connection
   * settings. The DataSource's TLS options and connect timeout apply to it too.
   */
  readonly listenConnectionUrl?: string;
}

export interface SelectionCacheModuleOptions {
  /** Safety-net TTL of an entry; changes invalidate it earlier, on every instance. Default 60000; 0 disables the cache. */
  readonly ttlMs?: number;
  /** Environment+channel entries kept at most (least recently used dropped first). Default 10000. */
  readonly maxEntries?: number;
}

export interface OutboundUrlsOptions {
  /**
   * Hosts that may be used although they are internal: exact host names (`smtp.corp.example`),
   * wildcard suffixes (`*.corp.example`, which does not match `corp.example` itself), IP addresses
   * (`127.0.0.1`, `::1`) or CIDR ranges (`10.20.0.0/16`, `fd12::/16`). A listed name is allowed
   * whatever it resolves to; a listed address or range allows the addresses inside it.
   */
  readonly allow?: readonly string[];
  /**
   * Refuse host names that do not resolve (default false: such a name cannot point anywhere now,
   * and every real connection checks again — the credentials check does).
   */
  readonly refuseUnresolvable?: boolean;
  /** How long one DNS lookup may take before the name counts as unresolvable. Default 3000 ms. */
  readonly dnsTimeoutMs?: number;
}

export interface CredentialsCheckOptions {
  /** How long one credentials check may take in total (DNS, connect, answer). Default 5000 ms. */
  readonly timeoutMs?: number;
  /**
   * Base URL per provider id, replacing the provider's real API origin (tests point these at a
   * loopback server). E.g. `{ sendgrid: 'http://127.0.0.1:4010' }`. A base URL given in the
   * integration's own credentials (`baseUrl`, e.g. Mailgun's EU region) still wins.
   */
  readonly baseUrls?: Readonly<Partial<Record<string, string>>>;
}

/**
 * Options that shape the module's providers, so they are given next to the options (in `forRoot({...})`
 * and in `forRootAsync({...})` alike) rather than computed by `useFactory`.
 */
export interface IntegrationsModuleExtras {
  /**
   * Where the library looks environments up (which organization owns an environment id). Default: the
   * tenancy library's `environments` table (`SELECT id, organization_id FROM environments`). A host that
   * keeps its own environments table gives its own class here; Nest constructs it inside the module, so
   * its constructor may inject the DataSource or providers of modules listed in `forRootAsync({ imports })`.
   */
  readonly environmentDirectory?: Type<EnvironmentDirectory>;
}

export const {
  ConfigurableModuleClass: IntegrationsConfigurableModule,
  MODULE_OPTIONS_TOKEN: INTEGRATIONS_MODULE_OPTIONS,
  OPTIONS_TYPE: INTEGRATIONS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: INTEGRATIONS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<IntegrationsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<IntegrationsModuleExtras>({ environmentDirectory: undefined }, (definition, extras) => ({
    ...definition,
    providers: [...(definition.providers ?? []), environmentDirectoryProvider(extras.environmentDirectory)],
  }))
  .build();

function environmentDirectoryProvider(directory: Type<EnvironmentDirectory> | undefined): Provider {
  return { provide: EnvironmentDirectory, useClass: directory ?? TypeOrmEnvironmentDirectory };
}
