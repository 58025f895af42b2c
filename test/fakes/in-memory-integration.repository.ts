import { ChannelIntegrations } from '../../libs/integrations/src/domain/channel-integrations';
import {
  ChannelType,
  Credentials,
  EnvironmentScope,
  Integration,
  IntegrationState,
  PRIMARY_CHANNELS,
} from '../../libs/integrations/src/domain/integration';
import { CredentialsCheckFailed } from '../../libs/integrations/src/domain/credentials-check.errors';
import { FieldProblems, IntegrationError } from '../../libs/integrations/src/domain/integration.errors';
import { isNovuDemoProvider } from '../../libs/integrations/src/domain/novu-demo-providers';
import {
  IntegrationRepository,
  ListFilter,
  LoadChannelOptions,
} from '../../libs/integrations/src/application/ports/integration.repository';
import { EnvironmentDirectory, EnvironmentRef } from '../../libs/integrations/src/application/ports/environment-directory';
import { TransactionHandle, UnitOfWork } from '../../libs/integrations/src/application/ports/unit-of-work';
import { CredentialsVerifier } from '../../libs/integrations/src/application/ports/credentials-verifier';
import { OutboundUrlPolicy } from '../../libs/integrations/src/application/ports/outbound-url-policy';

/** A stored row: plain data a test may inspect or tamper with. */
export type StoredIntegration = { -readonly [K in keyof IntegrationState]: IntegrationState[K] };

/**
 * A small in-memory stand-in for the integration repository port, for unit tests of use cases. Like
 * the database it refuses, per write, a taken identifier and a second primary of a channel, so a
 * save in the wrong order fails here too.
 */
export class InMemoryIntegrationRepository extends IntegrationRepository {
  readonly rows = new Map<string, StoredIntegration>();
  readonly locks: string[] = [];
  /** Every write made, in order (`insert:<id>`, `update:<id>`, `delete:<id>`, `rerank:<id>`). */
  readonly writes: string[] = [];

  private inScope(scope: EnvironmentScope) {
    return [...this.rows.values()].filter(
      (i) => !i.deleted && i.environmentId === scope.environmentId && i.organizationId === scope.organizationId,
    );
  }

  async loadChannel(
    scope: EnvironmentScope,
    channel: ChannelType | undefined,
    options: LoadChannelOptions = {},
  ): Promise<ChannelIntegrations> {
    this.locks.push(`${scope.environmentId}:${channel ?? 'agent'}`);
    const ordered = channel !== undefined && PRIMARY_CHANNELS.includes(channel);
    const members = ordered
      ? this.inScope(scope)
          .filter((i) => i.active && i.kind === 'delivery' && i.channel === channel)
          .map((i) => ({ id: i.id, priority: i.priority, primary: i.primary, createdAt: i.createdAt }))
      : [];
    const demo = options.admitting;
    const present = demo !== undefined && isNovuDemoProvider(demo) && this.inScope(scope).some((i) => i.providerId === demo);
    return ChannelIntegrations.restore({ scope, channel, members, demoProvidersPresent: present ? [demo] : [] });
  }

  async saveChannel(channel: ChannelIntegrations): Promise<void> {
    for (const write of channel.pendingWrites()) {
      if (write.kind === 'rerank') {
        const row = this.rows.get(write.id);
        if (!row || row.deleted || row.environmentId !== channel.scope.environmentId) throw new Error(`no row ${write.id} in scope`);
        this.assertOnePrimary({ ...row, primary: write.primary });
        row.primary = write.primary;
        row.priority = write.priority;
        this.writes.push(`rerank:${write.id}`);
      } else if (write.kind === 'insert') {
        await this.insert(write.integration);
      } else {
        const existing = this.rows.get(write.integration.id);
        if (!existing || existing.deleted) throw IntegrationError.integrationNotFound(write.integration.id);
        if (
          write.kind === 'update' &&
          (await this.identifierTaken(write.integration, write.integration.identifier, write.integration.id))
        ) {
          throw IntegrationError.identifierTaken();
        }
        this.assertOnePrimary(write.integration);
        this.rows.set(write.integration.id, structuredClone(write.integration.toState()));
        this.writes.push(`${write.kind}:${write.integration.id}`);
      }
    }
  }

  async identifierTaken(scope: EnvironmentScope, identifier: string, exceptId?: string): Promise<boolean> {
    return this.inScope(scope).some((i) => i.identifier === identifier && i.id !== exceptId);
  }

  async insert(integration: Integration): Promise<void> {
    if (await this.identifierTaken(integration, integration.identifier)) throw IntegrationError.identifierTaken();
    this.assertOnePrimary(integration);
    this.rows.set(integration.id, structuredClone(integration.toState()));
    this.writes.push(`insert:${integration.id}`);
  }

  async findById(organizationId: string, id: string): Promise<Integration | undefined> {
    const row = this.rows.get(id);
    return row && !row.deleted && row.organizationId === organizationId ? Integration.restore(structuredClone(row)) : undefined;
  }

  async listByOrganization(organizationId: string, filter?: ListFilter): Promise<Integration[]> {
    const rows = [...this.rows.values()].filter((i) => !i.deleted && i.organizationId === organizationId);
    return this.listed(rows, filter);
  }

  async listByEnvironment(scope: EnvironmentScope, filter?: ListFilter): Promise<Integration[]> {
    return this.listed(this.inScope(scope), filter);
  }

  /** Statements a selection made (`listActiveOfChannel:<environmentId>:<channel>`). */
  readonly reads: string[] = [];

  async listActiveOfChannel(scope: EnvironmentScope, channel: ChannelType): Promise<Integration[]> {
    this.reads.push(`listActiveOfChannel:${scope.environmentId}:${channel}`);
    return this.listed(
      this.inScope(scope).filter((i) => i.active && i.kind === 'delivery' && i.channel === channel),
      { activeOnly: true },
    );
  }

  private listed(rows: StoredIntegration[], filter?: ListFilter): Integration[] {
    return rows
      .filter((i) => !filter?.activeOnly || i.active)
      .map((i) => {
        const copy = structuredClone(i);
        if (!filter?.withoutSecrets) return Integration.restore(copy);
        const { inboundWebhookSigningKey: _secret, ...configurations } = copy.configurations;
        return Integration.restore({ ...copy, credentials: {}, configurations });
      });
  }

  /** Mirrors the database's partial unique index on primaries. */
  private assertOnePrimary(candidate: IntegrationState): void {
    if (!candidate.primary || candidate.deleted) return;
    const other = this.inScope(candidate).find((i) => i.primary && i.channel === candidate.channel && i.id !== candidate.id);
    if (other) throw new Error(`second primary in ${candidate.environmentId}/${candidate.channel}`);
  }
}

export class InMemoryEnvironmentDirectory extends EnvironmentDirectory {
  constructor(readonly environments: EnvironmentRef[] = []) {
    super();
  }

  async find(environmentId: string): Promise<EnvironmentRef | undefined> {
    return this.environments.find((e) => e.id === environmentId);
  }
}

/** Runs work directly: the in-memory repository has no transactions (nor SQL for the handle). */
export class PassThroughUnitOfWork extends UnitOfWork {
  runs = 0;

  async run<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
    this.runs++;
    return work({ query: () => Promise.reject(new Error('PassThroughUnitOfWork runs no SQL')) });
  }

  async runDeferred(): Promise<never> {
    throw new Error('PassThroughUnitOfWork has no deferred transactions (the use cases never open one)');
  }
}

/** Outbound URL policy stand-in: reports the problems it was given for a provider, else none. */
export class ScriptedOutboundUrlPolicy extends OutboundUrlPolicy {
  constructor(readonly problems: Record<string, FieldProblems> = {}) {
    super();
  }

  async check(providerId: string): Promise<FieldProblems> {
    return this.problems[providerId] ?? {};
  }
}

/** Credentials verifier stand-in: supports the listed providers; rejects the listed secret values. */
export class ScriptedCredentialsVerifier extends CredentialsVerifier {
  readonly verified: { providerId: string; credentials: Credentials }[] = [];

  constructor(
    readonly supported: string[] = ['sendgrid'],
    readonly rejectedApiKeys: string[] = [],
  ) {
    super();
  }

  supports(providerId: string): boolean {
    return this.supported.includes(providerId);
  }

  async verify(providerId: string, credentials: Credentials): Promise<void> {
    if (this.rejectedApiKeys.includes(String(credentials.apiKey))) {
      throw new CredentialsCheckFailed('rejected', `${providerId} rejected the API key`);
    }
    this.verified.push({ providerId, credentials });
  }
}
