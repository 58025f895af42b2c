import { StepFilter } from './conditions';
import { capitalise, defaultIdentifier } from './identifier';
import { FieldProblems, IntegrationError } from './integration.errors';
import { NovuDemoProviders } from './novu-demo-providers';
import { ProviderCatalog, ProviderDescriptor } from './provider-catalog';
import { randomUUID } from 'node:crypto';
import { ChannelType, IntegrationKind, PRIMARY_CHANNELS } from './channels';

export { CHANNELS, INTEGRATION_KINDS, PRIMARY_CHANNELS } from './channels';
export type { ChannelType, IntegrationKind } from './channels';

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

/**
 * Every field of an integration as plain data: what persistence stores and `Integration.restore`
 * takes back. Credentials are plaintext here; optional fields are absent, never undefined-valued.
 */
export interface IntegrationState {
  readonly id: string;
  readonly organizationId: string;
  readonly environmentId: string;
  readonly name: string;
  readonly identifier: string;
  readonly providerId: string;
  /** Absent for agent integrations. */
  readonly channel?: ChannelType;
  readonly kind: IntegrationKind;
  readonly active: boolean;
  readonly primary: boolean;
  readonly priority: number;
  readonly credentials: Credentials;
  readonly configurations: Configurations;
  readonly conditions: StepFilter[];
  readonly deleted: boolean;
  readonly deletedAt?: Date;
  readonly deletedBy?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a caller asks for when creating an integration (docs/contract.md §3); only `providerId` is required. */
export interface NewIntegration {
  readonly scope: EnvironmentScope;
  readonly providerId: string;
  readonly channel?: ChannelType;
  readonly kind?: IntegrationKind;
  readonly name?: string;
  readonly identifier?: string;
  readonly credentials?: Credentials;
  readonly active?: boolean;
  readonly conditions?: readonly StepFilter[];
  readonly configurations?: Configurations;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One configured delivery provider of one environment. Its fields are readable as plain
 * properties (mappers and responses read them) and change only through the methods below; the
 * primary flag and the priority change only through `ChannelIntegrations`, which knows the other
 * integrations of the channel.
 */
export class Integration implements IntegrationState {
  declare readonly id: string;
  declare readonly organizationId: string;
  declare readonly environmentId: string;
  declare readonly name: string;
  declare readonly identifier: string;
  declare readonly providerId: string;
  declare readonly channel?: ChannelType;
  declare readonly kind: IntegrationKind;
  declare readonly active: boolean;
  declare readonly primary: boolean;
  declare readonly priority: number;
  declare readonly credentials: Credentials;
  declare readonly configurations: Configurations;
  declare readonly conditions: StepFilter[];
  declare readonly deleted: boolean;
  declare readonly deletedAt?: Date;
  declare readonly deletedBy?: string;
  declare readonly createdAt: Date;
  declare readonly updatedAt: Date;

  private constructor(state: IntegrationState) {
    this.assign(state);
  }

  /** An integration as stored (no rule is applied: stored rows are taken as they are). */
  static restore(state: IntegrationState): Integration {
    return new Integration(state);
  }

  /**
   * A new integration (docs/contract.md §3): the provider must be in the catalog for the kind, the
   * channel must be the provider's; defaults for name (the catalog's display name), identifier
   * (`slug-<suffix>`), channel (none for agents) and kind (`delivery`); an active one must carry
   * its provider's required credentials; Novu's email/sms demo providers only when the server has
   * their credentials. It starts with `primary: false, priority: 0`; `ChannelIntegrations.admit`
   * places it.
   */
  static create(request: NewIntegration, demoProviders: NovuDemoProviders, now: Date = new Date()): Integration {
    const kind = request.kind ?? 'delivery';
    const provider = findProvider(request.providerId, kind, request.channel);
    const name = request.name ?? provider.displayName ?? capitalise(provider.id);
    const integration = new Integration({
      id: randomUUID(),
      organizationId: request.scope.organizationId,
      environmentId: request.scope.environmentId,
      name,
      identifier: request.identifier ?? defaultIdentifier(name),
      providerId: provider.id,
      ...(kind === 'agent' ? {} : { channel: provider.channel }),
      kind,
      active: request.active ?? false,
      primary: false,
      priority: 0,
      credentials: { ...(request.credentials ?? {}) },
      configurations: { ...(request.configurations ?? {}) },
      conditions: [...(request.conditions ?? [])],
      deleted: false,
      createdAt: now,
      updatedAt: now,
    });
    if (integration.active) integration.assertActivatable();
    demoProviders.assertCanCreate(provider);
    return integration;
  }

  /** Email and sms delivery integrations have a primary and priorities; every other one does not. */
  /**
   * Whether `check: true` verifies this integration's credentials with its provider (docs/contract.md
   * §3, `kind`): agent integrations skip the check and are saved unchecked.
   */
  get takesCredentialsCheck(): boolean {
    return this.kind === 'delivery';
  }

  get supportsPrimary(): boolean {
    return supportsPrimary(this);
  }

  /** The provider's required credentials, non-empty; else 422 naming each `credentials.<key>`. */
  assertActivatable(): void {
    const provider = ProviderCatalog.find(this.providerId, this.kind);
    if (provider) assertRequiredCredentials(provider, this.credentials);
  }

  /** Set-primary exists for email and sms delivery integrations only (400 otherwise). */
  assertSupportsPrimary(): void {
    if (!this.supportsPrimary) {
      throw new IntegrationError('PRIMARY_NOT_SUPPORTED', `Channel ${this.channel ?? this.kind} does not support primary`);
    }
  }

  /** Becomes active; refused (422) without the provider's required credentials. */
  activate(): void {
    this.assertActivatable();
    this.assign({ active: true });
  }

  /** Becomes inactive (`ChannelIntegrations.update` takes an email/sms one out of the ordering). */
  deactivate(): void {
    this.assign({ active: false });
  }

  rename(name: string): void {
    this.assign({ name });
  }

  changeIdentifier(identifier: string): void {
    this.assign({ identifier });
  }

  /** The given set replaces the stored one (no merge). */
  replaceCredentials(credentials: Credentials): void {
    this.assign({ credentials: { ...credentials } });
  }

  replaceConfigurations(configurations: Configurations): void {
    this.assign({ configurations: { ...configurations } });
  }

  replaceConditions(conditions: readonly StepFilter[]): void {
    this.assign({ conditions: [...conditions] });
  }

  /** Soft delete: kept, but hidden everywhere (`ChannelIntegrations.remove` also clears its primary flag). */
  markDeleted(deletedBy: string | undefined, at: Date): void {
    this.assign({ deleted: true, deletedAt: at, updatedAt: at, ...(deletedBy !== undefined ? { deletedBy } : {}) });
  }

  touch(at: Date): void {
    this.assign({ updatedAt: at });
  }

  /** Its place in the channel's ordering. Only `ChannelIntegrations` calls this. */
  place(primary: boolean, priority: number): void {
    this.assign({ primary, priority });
  }

  /** A plain copy of every field. */
  toState(): IntegrationState {
    const { ...state } = this as IntegrationState;
    return {
      ...state,
      credentials: { ...state.credentials },
      configurations: { ...state.configurations },
      conditions: [...state.conditions],
    };
  }

  private assign(changes: Partial<IntegrationState>): void {
    // A plain loop over the keys (no `[key, value]` pair per field): restoring a list of hundreds runs it per row.
    const source = changes as Record<string, unknown>;
    const target = this as Mutable<IntegrationState> & Record<string, unknown>;
    const keys = Object.keys(source);
    for (let i = 0; i < keys.length; i++) {
      const value = source[keys[i]];
      if (value !== undefined) target[keys[i]] = value;
    }
  }
}

export function supportsPrimary(integration: Pick<IntegrationState, 'kind' | 'channel'>): boolean {
  return integration.kind === 'delivery' && integration.channel !== undefined && PRIMARY_CHANNELS.includes(integration.channel);
}

function findProvider(providerId: string, kind: IntegrationKind, channel: ChannelType | undefined): ProviderDescriptor {
  const provider = ProviderCatalog.find(providerId, kind);
  if (!provider) {
    throw IntegrationError.invalid({
      providerId: {
        // The message does not quote the caller's text (it may be anything, of any length); the
        // HTTP layer echoes `value` only when it is short.
        messages: [`providerId must be a known ${kind} provider; it is not in the catalog`],
        value: providerId,
      },
    });
  }
  if (channel !== undefined && channel !== provider.channel) {
    throw IntegrationError.invalid({
      channel: { messages: [`channel must be "${provider.channel}" for provider ${provider.id}`], value: channel },
    });
  }
  return provider;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * An active integration must carry every required credential of its provider, non-empty. The
 * problem names the credential, never its value: even a blank one is part of a secret set.
 */
function assertRequiredCredentials(provider: ProviderDescriptor, credentials: Credentials): void {
  const problems: FieldProblems = {};
  for (const key of provider.required) {
    if (isEmpty(credentials[key])) {
      problems[`credentials.${key}`] = { messages: [`credentials.${key} is required by ${provider.id} when the integration is active`] };
    }
  }
  if (Object.keys(problems).length > 0) throw IntegrationError.invalid(problems);
}
