import { Credentials } from '../../domain/integration';
import { FieldProblems } from '../../domain/integration.errors';

/**
 * Spec §3 step 5: outbound URLs and hosts inside credentials (`baseUrl`, `webhookUrl`,
 * `redirectUrl`, a custom SMTP `host`, generic-sms `domain`, …) must not point at loopback,
 * private, link-local, metadata or other internal addresses unless the operator allow-list
 * permits them; region codes and ids spliced into a provider's host name (`region`,
 * `instanceId`) must stay one DNS label. What a key means can depend on the provider, hence
 * `providerId`.
 */
export abstract class OutboundUrlPolicy {
  /**
   * Problems keyed by property path (`credentials.baseUrl`), ready for
   * `IntegrationError.invalid(...)`; an empty object when every outbound value is acceptable.
   */
  abstract check(providerId: string, credentials: Credentials): Promise<FieldProblems>;
}
