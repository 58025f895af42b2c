import { Inject, Injectable } from '@nestjs/common';
import { OutboundUrlChecker } from '../../application/outbound-urls/outbound-url-checker';
import { CredentialsVerifier } from '../../application/ports/credentials-verifier';
import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { Credentials } from '../../domain/integration';
import { ADDRESS_KIND_LABELS } from '../../domain/outbound-address';
import { INTEGRATIONS_MODULE_OPTIONS, IntegrationsModuleOptions } from '../../integrations.module-definition';
import { brevoVerifier } from './brevo.verifier';
import { mailgunVerifier } from './mailgun.verifier';
import { oneSignalVerifier } from './one-signal.verifier';
import { postmarkVerifier } from './postmark.verifier';
import { ProviderVerifier, VerificationContext } from './provider-verifier';
import { resendVerifier } from './resend.verifier';
import { sendgridVerifier } from './sendgrid.verifier';
import { slackVerifier } from './slack.verifier';
import { smtpVerifier } from './smtp.verifier';
import { telnyxVerifier } from './telnyx.verifier';
import { twilioVerifier } from './twilio.verifier';

/** Every provider family with a credentials check. Adding a provider: one file, one line here. */
export const PROVIDER_VERIFIERS: readonly ProviderVerifier[] = [
  smtpVerifier,
  sendgridVerifier,
  mailgunVerifier,
  postmarkVerifier,
  resendVerifier,
  brevoVerifier,
  twilioVerifier,
  telnyxVerifier,
  slackVerifier,
  oneSignalVerifier,
];

export const DEFAULT_CHECK_TIMEOUT_MS = 5000;

/**
 * The `CredentialsVerifier`: dispatches to the provider family's verifier with a context that
 * bounds the whole check by `credentialsCheck.timeoutMs` and makes every connection go through the
 * outbound URL policy (resolve, check, connect to the checked address).
 */
@Injectable()
export class ProviderVerifierRegistry extends CredentialsVerifier {
  private readonly byProvider = new Map<string, ProviderVerifier>();
  private readonly timeoutMs: number;
  private readonly baseUrls: Readonly<Partial<Record<string, string>>>;

  constructor(
    private readonly outbound: OutboundUrlChecker,
    @Inject(INTEGRATIONS_MODULE_OPTIONS) options: Pick<IntegrationsModuleOptions, 'credentialsCheck'>,
  ) {
    super();
    for (const verifier of PROVIDER_VERIFIERS) {
      for (const id of verifier.providerIds) this.byProvider.set(id, verifier);
    }
    const timeoutMs = options?.credentialsCheck?.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new Error('Invalid integrations credentialsCheck.timeoutMs: a positive whole number of milliseconds');
    }
    this.timeoutMs = timeoutMs;
    this.baseUrls = options?.credentialsCheck?.baseUrls ?? {};
  }

  supports(providerId: string): boolean {
    return this.byProvider.has(providerId);
  }

  /** Provider ids with a check, for documentation and the response header. */
  supportedProviders(): string[] {
    return [...this.byProvider.keys()];
  }

  async verify(providerId: string, credentials: Credentials): Promise<void> {
    const verifier = this.byProvider.get(providerId);
    if (!verifier) {
      throw new CredentialsCheckFailed('protocol', `No credentials check exists for provider ${providerId}`);
    }
    await verifier.verify(providerId, credentials ?? {}, this.context());
  }

  private context(): VerificationContext {
    const timeoutMs = this.timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    return {
      timeoutMs,
      signal,
      baseUrl: (providerId, realBaseUrl) => this.baseUrls[providerId] ?? realBaseUrl,
      target: async (host, service) => {
        const verdict = await raceAbort(this.outbound.vetHost(host), signal, () =>
          CredentialsCheckFailed.timedOut(`Resolving ${host}`, timeoutMs),
        );
        switch (verdict.outcome) {
          case 'allowed':
            if (verdict.addresses.length > 0) return verdict.addresses;
            throw CredentialsCheckFailed.cannotResolve(host);
          case 'unresolvable':
            throw CredentialsCheckFailed.cannotResolve(host);
          case 'invalid':
            throw new CredentialsCheckFailed('unreachable', `${service} host ${host} is not a valid host name`);
          case 'forbidden':
            throw new CredentialsCheckFailed(
              'unreachable',
              `${service} host ${host} points at a ${ADDRESS_KIND_LABELS[verdict.address.kind]} (${verdict.address.range}), which outbound requests may not reach`,
            );
        }
      },
    };
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
