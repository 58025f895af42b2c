import { ChannelType, Credentials, EnvironmentScope, Integration } from '../../libs/integrations/src/domain/integration';
import { CredentialsCheckFailed } from '../../libs/integrations/src/domain/credentials-check.errors';
import { FieldProblems, IntegrationError } from '../../libs/integrations/src/domain/integration.errors';
import { PriorityHolder } from '../../libs/integrations/src/domain/primary-placement';
import {
  IntegrationRepository,
  ListFilter,
  PlacementChange,
} from '../../libs/integrations/src/application/ports/integration.repository';
import { EnvironmentDirectory, EnvironmentRef } from '../../libs/integrations/src/application/ports/environment-directory';
import { TransactionHandle, UnitOfWork } from '../../libs/integrations/src/application/ports/unit-of-work';
import { CredentialsVerifier } from '../../libs/integrations/src/application/ports/credentials-verifier';
import { OutboundUrlPolicy } from '../../libs/integrations/src/application/ports/outbound-url-policy';

/** A small in-memory stand-in for the integration repository port, for unit tests of use cases. */
export class InMemoryIntegrationRepository extends IntegrationRepository {
  readonly rows = new Map<string, Integration>();
  readonly locks: string[] = [];

  private inScope(scope: EnvironmentScope) {
    return [...this.rows.values()].filter(
      (i) => !i.deleted && i.environmentId === scope.environmentId && i.organizationId === scope.organizationId,
    );
  }

  async lockChannel(scope: EnvironmentScope, channel: ChannelType | undefined): Promise<void> {
    this.locks.push(`${scope.environmentId}:${channel ?? 'agent'}`);
  }

  async findHighestPriorityActive(scope: EnvironmentScope, channel: ChannelType): Promise<PriorityHolder | undefined> {
    const [top] = await this.listActivePriorities(scope, channel);
    return top;
  }

  async listActivePriorities(scope: EnvironmentScope, channel: ChannelType): Promise<PriorityHolder[]> {
    return this.inScope(scope)
      .filter((i) => i.active && i.kind === 'delivery' && i.channel === channel)
      .sort((a, b) => b.priority - a.priority)
      .map((i) => ({ id: i.id, priority: i.priority, primary: i.primary }));
  }

  async identifierTaken(scope: EnvironmentScope, identifier: string, exceptId?: string): Promise<boolean> {
    return this.inScope(scope).some((i) => i.identifier === identifier && i.id !== exceptId);
  }

  async countByProvider(scope: EnvironmentScope, providerId: string): Promise<number> {
    return this.inScope(scope).filter((i) => i.providerId === providerId).length;
  }

  async insert(integration: Integration): Promise<void> {
    if (await this.identifierTaken(integration, integration.identifier)) throw IntegrationError.identifierTaken();
    this.assertOnePrimary(integration);
    this.rows.set(integration.id, structuredClone(integration));
  }

  async update(integration: Integration): Promise<void> {
    if (await this.identifierTaken(integration, integration.identifier, integration.id)) {
      throw IntegrationError.identifierTaken();
    }
    this.assertOnePrimary(integration);
    this.rows.set(integration.id, structuredClone(integration));
  }

  async applyPlacements(scope: EnvironmentScope, changes: readonly PlacementChange[]): Promise<void> {
    for (const change of changes) {
      const row = this.rows.get(change.id);
      if (!row || row.environmentId !== scope.environmentId) throw new Error(`no row ${change.id} in scope`);
      row.primary = change.primary;
      row.priority = change.priority;
    }
  }

  async findById(organizationId: string, id: string): Promise<Integration | undefined> {
    const row = this.rows.get(id);
    return row && !row.deleted && row.organizationId === organizationId ? structuredClone(row) : undefined;
  }

  async listByOrganization(organizationId: string, filter?: ListFilter): Promise<Integration[]> {
    const rows = [...this.rows.values()].filter((i) => !i.deleted && i.organizationId === organizationId);
    return this.listed(rows, filter);
  }

  async listByEnvironment(scope: EnvironmentScope, filter?: ListFilter): Promise<Integration[]> {
    return this.listed(this.inScope(scope), filter);
  }

  private listed(rows: Integration[], filter?: ListFilter): Integration[] {
    return rows
      .filter((i) => !filter?.activeOnly || i.active)
      .map((i) => {
        if (!filter?.withoutSecrets) return i;
        const { inboundWebhookSigningKey: _secret, ...configurations } = i.configurations;
        return { ...i, credentials: {}, configurations };
      });
  }

  async softDelete(scope: EnvironmentScope, id: string, deletedBy: string | undefined, at: Date): Promise<void> {
    const row = this.rows.get(id);
    if (!row || row.environmentId !== scope.environmentId) return;
    Object.assign(row, { deleted: true, deletedAt: at, deletedBy, primary: false });
  }

  /** Mirrors the database's partial unique index on primaries. */
  private assertOnePrimary(candidate: Integration): void {
    if (!candidate.primary) return;
    const other = this.inScope(candidate).find(
      (i) => i.primary && i.channel === candidate.channel && i.id !== candidate.id,
    );
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
