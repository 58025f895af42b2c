import { CredentialsCipher, EncryptedValue } from '../../application/ports/credentials-cipher';
import { StepFilter } from '../../domain/conditions';
import { ChannelType, Configurations, Credentials, Integration, IntegrationKind, IntegrationState } from '../../domain/integration';
import { IntegrationRecord } from './integration.record';

/** Associated data binding the credentials ciphertext to its integration. */
export const credentialsAad = (integrationId: string) => `integration:${integrationId}:credentials`;
/** Associated data binding the inbound webhook signing key ciphertext to its integration. */
export const signingKeyAad = (integrationId: string) => `integration:${integrationId}:configurations.inboundWebhookSigningKey`;

/**
 * Record ↔ domain. Credentials are stored as one encrypted envelope; of the configurations only
 * `inboundWebhookSigningKey` is encrypted. Optional domain fields are absent, never null.
 */
export class IntegrationMapper {
  constructor(private readonly cipher: CredentialsCipher) {}

  toRecord(integration: IntegrationState): IntegrationRecord {
    const record = new IntegrationRecord();
    record.id = integration.id;
    record.organizationId = integration.organizationId;
    record.environmentId = integration.environmentId;
    record.name = integration.name;
    record.identifier = integration.identifier;
    record.providerId = integration.providerId;
    record.channel = integration.channel ?? null;
    record.kind = integration.kind;
    record.active = integration.active;
    record.primary = integration.primary;
    record.priority = integration.priority;
    record.credentials = this.encryptCredentials(integration.id, integration.credentials ?? {});
    record.configurations = this.encryptConfigurations(integration.id, integration.configurations ?? {});
    record.conditions = (integration.conditions ?? []) as unknown as Record<string, any>;
    record.deleted = integration.deleted;
    record.deletedAt = integration.deletedAt ?? null;
    record.deletedBy = integration.deletedBy ?? null;
    record.createdAt = integration.createdAt;
    record.updatedAt = integration.updatedAt;
    return record;
  }

  /** With `secrets: false` nothing is decrypted: credentials `{}`, no webhook signing key. */
  toDomain(record: IntegrationRecord, { secrets }: { secrets: boolean } = { secrets: true }): Integration {
    return Integration.restore({
      id: record.id,
      organizationId: record.organizationId,
      environmentId: record.environmentId,
      name: record.name,
      identifier: record.identifier,
      providerId: record.providerId,
      ...(record.channel != null ? { channel: record.channel as ChannelType } : {}),
      kind: record.kind as IntegrationKind,
      active: record.active,
      primary: record.primary,
      priority: record.priority,
      credentials: secrets ? this.cipher.decrypt<Credentials>(record.credentials as EncryptedValue, credentialsAad(record.id)) : {},
      configurations: secrets
        ? this.decryptConfigurations(record.id, record.configurations ?? {})
        : withoutSigningKey(record.configurations ?? {}),
      conditions: (record.conditions ?? []) as unknown as StepFilter[],
      deleted: record.deleted,
      ...(record.deletedAt != null ? { deletedAt: new Date(record.deletedAt) } : {}),
      ...(record.deletedBy != null ? { deletedBy: record.deletedBy } : {}),
      createdAt: new Date(record.createdAt),
      updatedAt: new Date(record.updatedAt),
    });
  }

  encryptCredentials(integrationId: string, credentials: Credentials): Record<string, any> {
    return { ...this.cipher.encrypt(credentials, credentialsAad(integrationId)) };
  }

  private encryptConfigurations(integrationId: string, configurations: Configurations): Record<string, any> {
    const { inboundWebhookSigningKey, ...plain } = configurations;
    if (inboundWebhookSigningKey === undefined) return { ...plain };
    return {
      ...plain,
      inboundWebhookSigningKey: { ...this.cipher.encrypt(inboundWebhookSigningKey, signingKeyAad(integrationId)) },
    };
  }

  private decryptConfigurations(integrationId: string, stored: Record<string, any>): Configurations {
    const { inboundWebhookSigningKey, ...plain } = stored;
    if (inboundWebhookSigningKey === undefined || inboundWebhookSigningKey === null) return { ...plain };
    return {
      ...plain,
      inboundWebhookSigningKey: this.cipher.decrypt<string>(inboundWebhookSigningKey as EncryptedValue, signingKeyAad(integrationId)),
    };
  }
}

function withoutSigningKey(stored: Record<string, any>): Configurations {
  const { inboundWebhookSigningKey: _encrypted, ...plain } = stored;
  return plain;
}
