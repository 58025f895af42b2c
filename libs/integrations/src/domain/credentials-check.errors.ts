/**
 * Why a credentials check (`check: true`) failed:
 * - `unreachable`: the provider's host could not be resolved or connected to (or is not allowed);
 * - `rejected`: the provider answered and refused the credentials (login, API key, account id);
 * - `timeout`: no complete answer within the configured time;
 * - `protocol`: the provider answered something the check cannot interpret as yes or no.
 */
export type CredentialsCheckFailureReason = 'unreachable' | 'rejected' | 'timeout' | 'protocol';

/**
 * A credentials check failed. The message says what failed and never contains a secret (no API
 * key, token, password or URL credentials); it is safe to return to the caller and to log.
 */
export class CredentialsCheckFailed extends Error {
  constructor(
    readonly reason: CredentialsCheckFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'CredentialsCheckFailed';
  }

  static cannotResolve(hostname: string): CredentialsCheckFailed {
    return new CredentialsCheckFailed('unreachable', `Provider gateway can't resolve the host with the given hostname ${hostname}`);
  }

  static timedOut(what: string, timeoutMs: number): CredentialsCheckFailed {
    return new CredentialsCheckFailed('timeout', `${what} did not answer within ${timeoutMs} ms`);
  }
}
