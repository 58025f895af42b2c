import { ConfigurableModuleBuilder } from '@nestjs/common';

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
}

export const {
  ConfigurableModuleClass: IntegrationsConfigurableModule,
  MODULE_OPTIONS_TOKEN: INTEGRATIONS_MODULE_OPTIONS,
  OPTIONS_TYPE: INTEGRATIONS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: INTEGRATIONS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<IntegrationsModuleOptions>().setClassMethodName('forRoot').build();
