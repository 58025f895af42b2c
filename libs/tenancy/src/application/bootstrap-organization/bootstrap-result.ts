import { DefaultEnvironmentName } from '../../domain/environment';

export interface BootstrapResult {
  readonly organizationId: string;
  /** Development first, then Production. `apiKey` is the secret, shown only here. */
  readonly environments: { readonly name: DefaultEnvironmentName; readonly id: string; readonly apiKey: string }[];
  /** A session token of the new user, with Development as its default environment. */
  readonly sessionToken: string;
}
