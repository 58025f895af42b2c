import { StepFilter } from './conditions';

export const CHANNELS = ['in_app', 'email', 'sms', 'chat', 'push'] as const;
export type ChannelType = (typeof CHANNELS)[number];

export const INTEGRATION_KINDS = ['delivery', 'agent'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/** Channels whose integrations take part in primary/priority ordering. */
export const PRIMARY_CHANNELS: readonly ChannelType[] = ['email', 'sms'];

/** A credential value keeps its wire type: strings, booleans, or an object (`tlsOptions`). */
export type CredentialValue = string | boolean | Record<string, unknown>;
export type Credentials = Record<string, CredentialValue>;

export type InboxCount = 'none' | 'unread' | 'unseen';
export interface Configurations {
  inboundWebhookEnabled?: boolean;
  /** A secret: encrypted at rest like the credentials. */
  inboundWebhookSigningKey?: string;
  configurationSetName?: string;
  inboxCount?: InboxCount;
}

/** The tenant every read and write is scoped to. */
export interface EnvironmentScope {
  readonly organizationId: string;
  readonly environmentId: string;
}

/** One configured delivery provider of one environment. Credentials are plaintext in the domain. */
export interface Integration {
  readonly id: string;
  readonly organizationId: string;
  readonly environmentId: string;
  name: string;
  identifier: string;
  readonly providerId: string;
  /** Absent for agent integrations. */
  readonly channel?: ChannelType;
  readonly kind: IntegrationKind;
  active: boolean;
  primary: boolean;
  priority: number;
  credentials: Credentials;
  configurations: Configurations;
  conditions: StepFilter[];
  deleted: boolean;
  deletedAt?: Date;
  deletedBy?: string;
  readonly createdAt: Date;
  updatedAt: Date;
}

export function supportsPrimary(integration: Pick<Integration, 'kind' | 'channel'>): boolean {
  return integration.kind === 'delivery' && integration.channel !== undefined && PRIMARY_CHANNELS.includes(integration.channel);
}
