import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { Credentials, Integration } from '../../domain/integration';
import { IntegrationError } from '../../domain/integration.errors';
import { CredentialsCheckObserver, IgnoredCredentialsChecks } from '../ports/credentials-check-observer';
import { CredentialsVerifier } from '../ports/credentials-verifier';
import { OutboundUrlPolicy } from '../ports/outbound-url-policy';

/** What `check: true` did: verified with the provider, or saved unchecked (no verifier exists). */
export type CredentialsCheckOutcome = 'verified' | 'unsupported';

/**
 * Vets a credential set before anything is saved (docs/contract.md §3 step 5 and §6): outbound
 * URLs/hosts must be safe (422 naming each property), and with `check` the provider must accept
 * the credentials (400 saying what failed). I/O, so it runs outside any transaction: a check may
 * take seconds. Used by create and update.
 */
export class CredentialsVetting {
  constructor(
    private readonly outboundUrls: OutboundUrlPolicy,
    private readonly verifier: CredentialsVerifier,
    private readonly observer: CredentialsCheckObserver = new IgnoredCredentialsChecks(),
  ) {}

  /**
   * The credentials `integration` will be saved with. Undefined without `check`; otherwise whether
   * the provider verified them, or `unsupported` (saved unchecked: no verifier exists, or the
   * integration takes no check).
   */
  async vet(
    integration: Pick<Integration, 'providerId' | 'takesCredentialsCheck'>,
    credentials: Credentials,
    check: boolean,
  ): Promise<CredentialsCheckOutcome | undefined> {
    const { providerId } = integration;
    const problems = await this.outboundUrls.check(providerId, credentials);
    if (Object.keys(problems).length > 0) throw IntegrationError.invalid(problems);
    if (!check) return undefined;
    if (!integration.takesCredentialsCheck || !this.verifier.supports(providerId)) {
      this.observer.checked(providerId, { outcome: 'unsupported' });
      return 'unsupported';
    }
    try {
      await this.verifier.verify(providerId, credentials);
    } catch (error) {
      if (error instanceof CredentialsCheckFailed) {
        this.observer.checked(providerId, { outcome: 'failed', reason: error.reason });
        throw new IntegrationError('CREDENTIALS_CHECK_FAILED', error.message);
      }
      throw error;
    }
    this.observer.checked(providerId, { outcome: 'verified' });
    return 'verified';
  }
}
