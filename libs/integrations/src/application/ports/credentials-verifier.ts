import { Credentials } from '../../domain/integration';

/** Spec §6 (`check: true`): verifies credentials against the provider before anything is saved. */
export abstract class CredentialsVerifier {
  /** Whether a check exists for this provider; providers without one are saved unchecked. */
  abstract supports(providerId: string): boolean;

  /**
   * Resolves when the provider accepted the credentials; throws `CredentialsCheckFailed`
   * otherwise (also when `supports(providerId)` is false: reason `protocol`).
   */
  abstract verify(providerId: string, credentials: Credentials): Promise<void>;
}
