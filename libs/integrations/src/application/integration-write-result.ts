import { Integration } from '../domain/integration';
import { CredentialsCheckOutcome } from './credentials-vetting/credentials-vetting';

/** What create and update hand back: the stored integration and, with `check: true`, what the check did. */
export interface IntegrationWriteResult {
  readonly integration: Integration;
  /** Present only when the request asked for `check: true`. */
  readonly credentialsCheck?: CredentialsCheckOutcome;
}
