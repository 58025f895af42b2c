import { IntegrationError } from './integration.errors';
import { ProviderDescriptor } from './provider-catalog';

/** Novu's own demo providers: at most one of each per environment (docs/contract.md §3). */
export const NOVU_DEMO_PROVIDER_IDS: readonly string[] = ['novu', 'novu-email', 'novu-sms'];

export function isNovuDemoProvider(providerId: string): boolean {
  return NOVU_DEMO_PROVIDER_IDS.includes(providerId);
}

/**
 * Which of Novu's email/sms demo providers this server can deliver through: `novu-email` and
 * `novu-sms` send with the server's own account, so they may be created only when it has one.
 */
export class NovuDemoProviders {
  readonly email: boolean;
  readonly sms: boolean;

  constructor(available: { readonly email?: boolean; readonly sms?: boolean } = {}) {
    this.email = available.email ?? false;
    this.sms = available.sms ?? false;
  }

  /** 400 `NOVU_PROVIDER_NOT_ALLOWED` for novu-email / novu-sms without the server's credentials. */
  assertCanCreate(provider: ProviderDescriptor): void {
    const allowed = provider.id === 'novu-email' ? this.email : provider.id === 'novu-sms' ? this.sms : true;
    if (!allowed) {
      throw new IntegrationError('NOVU_PROVIDER_NOT_ALLOWED', `Creating Novu integration for ${provider.id} provider is not allowed`);
    }
  }
}

/**
 * One of each demo provider per environment: a second `novu` is 400 `NOVU_IN_APP_EXISTS`, a second
 * `novu-email` / `novu-sms` 409 `NOVU_PROVIDER_EXISTS`.
 */
export function assertDemoProviderAbsent(provider: { readonly providerId: string; readonly channel?: string }, present: boolean): void {
  if (!present) return;
  if (provider.providerId === 'novu') {
    throw new IntegrationError('NOVU_IN_APP_EXISTS', 'One environment can only have one In app provider');
  }
  if (provider.providerId === 'novu-email' || provider.providerId === 'novu-sms') {
    throw new IntegrationError('NOVU_PROVIDER_EXISTS', `Integration with novu provider for ${provider.channel} channel already exists`);
  }
}
