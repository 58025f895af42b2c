import { ChannelType } from './channels';
import { StepFilter } from './conditions';
import { Configurations, Credentials, EnvironmentScope, Integration } from './integration';
import { assertDemoProviderAbsent, isNovuDemoProvider } from './novu-demo-providers';

/** One active email/sms integration's place in its channel's ordering, as stored. */
export interface ChannelMember {
  readonly id: string;
  readonly primary: boolean;
  readonly priority: number;
  /** Breaks priority ties (oldest first), as the stored order does. */
  readonly createdAt: Date;
}

/** What the repository loaded for one environment and channel, under the channel's lock. */
export interface ChannelIntegrationsState {
  readonly scope: EnvironmentScope;
  /** Undefined for the environment's agent integrations. */
  readonly channel: ChannelType | undefined;
  /** The active delivery integrations of an email/sms channel, in any order; empty for other channels. */
  readonly members: readonly ChannelMember[];
  /** Novu demo providers (`novu`, `novu-email`, `novu-sms`) that already exist in the environment. */
  readonly demoProvidersPresent?: readonly string[];
}

/** The changes of an update (PUT): every field optional; absent means unchanged. */
export interface IntegrationChanges {
  readonly name?: string;
  readonly identifier?: string;
  readonly active?: boolean;
  readonly credentials?: Credentials;
  readonly conditions?: readonly StepFilter[];
  readonly configurations?: Configurations;
}

/**
 * One write the repository must make, in the order given: every write that clears a primary flag
 * comes before any that sets one, so that "at most one primary per environment and channel" holds
 * after every statement (the database checks it per statement).
 */
export type ChannelWrite =
  | { readonly kind: 'insert'; readonly integration: Integration }
  | { readonly kind: 'update'; readonly integration: Integration }
  | { readonly kind: 'delete'; readonly integration: Integration }
  | { readonly kind: 'rerank'; readonly id: string; readonly primary: boolean; readonly priority: number };

interface Seat {
  readonly id: string;
  primary: boolean;
  priority: number;
  readonly createdAt: Date;
}

type Edit = { readonly kind: 'insert' | 'update' | 'delete'; readonly integration: Integration; readonly wasPrimary: boolean };

/**
 * The integrations of one environment and channel that a write must see together: the active
 * email/sms ones, whose primary flag and priorities form one ordering (docs/contract.md §3 and §4),
 * and which Novu demo providers exist. Every rule that depends on the other integrations lives
 * here; the repository loads it under the channel's lock and saves `pendingWrites()` as a unit.
 */
export class ChannelIntegrations {
  /** How many members of the ordering (highest first) `admit` reads: a new one is placed against the highest only. */
  static readonly MEMBERS_READ_TO_ADMIT = 1;

  private readonly seats = new Map<string, Seat>();
  private readonly loaded = new Map<string, { readonly primary: boolean; readonly priority: number }>();
  private readonly edits = new Map<string, Edit>();
  private readonly demoProvidersPresent: ReadonlySet<string>;

  private constructor(
    readonly scope: EnvironmentScope,
    readonly channel: ChannelType | undefined,
    members: readonly ChannelMember[],
    demoProvidersPresent: readonly string[],
  ) {
    for (const member of members) {
      this.seats.set(member.id, { ...member });
      this.loaded.set(member.id, { primary: member.primary, priority: member.priority });
    }
    this.demoProvidersPresent = new Set(demoProvidersPresent);
  }

  static restore(state: ChannelIntegrationsState): ChannelIntegrations {
    return new ChannelIntegrations(state.scope, state.channel, state.members, state.demoProvidersPresent ?? []);
  }

  /**
   * Whether creating this integration depends on the others of its channel: an active email/sms
   * one is placed among them, a Novu demo provider is unique per environment. Any other create
   * needs neither the lock nor this aggregate (the identifier's unique index guards it).
   */
  static governsCreationOf(integration: Integration): boolean {
    return (integration.active && integration.supportsPrimary) || isNovuDemoProvider(integration.providerId);
  }

  /** The ordering, highest first (a primary wins a priority tie, then the oldest, then the id). */
  get ordering(): readonly ChannelMember[] {
    return this.sorted().map((seat) => ({ ...seat }));
  }

  /**
   * A new integration (docs/contract.md §3): a second Novu demo provider of a kind is refused; an
   * active email/sms one is placed — nobody active → primary with priority 1; the highest is
   * primary → the newcomer takes its priority and the primary moves up by one; the highest is not
   * primary → the newcomer goes above it as primary. Every other one keeps `primary: false, priority: 0`.
   */
  admit(integration: Integration): void {
    this.assertMine(integration);
    if (isNovuDemoProvider(integration.providerId)) {
      assertDemoProviderAbsent(integration, this.demoProvidersPresent.has(integration.providerId));
    }
    if (integration.active && integration.supportsPrimary) this.placeNewlyActive(integration);
    this.record('insert', integration, false);
  }

  /**
   * An update (docs/contract.md §4 PUT). An active result must carry the required credentials
   * (also when it was active already: the catalog may have made a key required since). Activating
   * an email/sms integration places it like a new one; deactivating takes it out of the ordering
   * (`primary: false, priority: 0`); non-empty conditions clear its primary flag; the ordering is
   * then renumbered n…1.
   */
  update(integration: Integration, changes: IntegrationChanges, at: Date = new Date()): void {
    this.assertMine(integration);
    const wasActive = integration.active;
    const wasPrimary = integration.primary;
    if (changes.name !== undefined) integration.rename(changes.name);
    if (changes.identifier !== undefined) integration.changeIdentifier(changes.identifier);
    if (changes.credentials !== undefined) integration.replaceCredentials(changes.credentials);
    if (changes.configurations !== undefined) integration.replaceConfigurations(changes.configurations);
    if (changes.conditions !== undefined) integration.replaceConditions(changes.conditions);
    if (changes.active === false) integration.deactivate();
    else if (changes.active === true) integration.activate();
    else if (integration.active) integration.assertActivatable();
    integration.touch(at);

    if (integration.supportsPrimary) {
      if (integration.active && !wasActive) this.placeNewlyActive(integration);
      else if (integration.active) this.seatOf(integration);
      else {
        this.seats.delete(integration.id);
        integration.place(false, 0);
      }
      if (integration.primary && integration.conditions.length > 0) this.seatOf(integration).primary = false;
      this.compact();
      this.syncFromSeat(integration);
    }
    this.record('update', integration, wasPrimary);
  }

  /**
   * Set-primary (docs/contract.md §4): email/sms only (400 otherwise); already primary → unchanged,
   * nothing to write. Otherwise it must carry its required credentials, becomes active, primary,
   * without conditions, above every other; the previous primary loses the flag; then n…1.
   * Returns whether anything changed.
   */
  setPrimary(integration: Integration, at: Date = new Date()): boolean {
    this.assertMine(integration);
    integration.assertSupportsPrimary();
    if (integration.primary) return false;
    integration.activate();
    integration.replaceConditions([]);
    integration.touch(at);
    const others = this.sorted().filter((seat) => seat.id !== integration.id);
    for (const other of others) other.primary = false;
    const top = others.reduce((max, other) => Math.max(max, other.priority), 0);
    this.seats.set(integration.id, { id: integration.id, primary: true, priority: top + 1, createdAt: integration.createdAt });
    this.compact();
    this.syncFromSeat(integration);
    this.record('update', integration, false);
    return true;
  }

  /** Soft delete (docs/contract.md §4): it leaves the ordering, which is renumbered n…1. */
  remove(integration: Integration, deletedBy: string | undefined, at: Date = new Date()): void {
    this.assertMine(integration);
    const wasPrimary = integration.primary;
    integration.markDeleted(deletedBy, at);
    integration.place(false, integration.priority);
    this.seats.delete(integration.id);
    if (integration.supportsPrimary) this.compact();
    this.record('delete', integration, wasPrimary);
  }

  /** What the repository must write, in a safe order (see `ChannelWrite`). Empty when nothing changed. */
  pendingWrites(): ChannelWrite[] {
    const clearing: ChannelWrite[] = [];
    const rest: ChannelWrite[] = [];
    const inserts: ChannelWrite[] = [];
    for (const edit of this.edits.values()) {
      const write = { kind: edit.kind, integration: edit.integration } as ChannelWrite;
      if (edit.kind === 'insert') inserts.push(write);
      else (edit.wasPrimary && !edit.integration.primary ? clearing : rest).push(write);
    }
    for (const seat of this.sorted()) {
      const before = this.loaded.get(seat.id);
      if (this.edits.has(seat.id) || !before) continue;
      if (before.primary === seat.primary && before.priority === seat.priority) continue;
      const write: ChannelWrite = { kind: 'rerank', id: seat.id, primary: seat.primary, priority: seat.priority };
      (before.primary && !seat.primary ? clearing : rest).push(write);
    }
    return [...clearing, ...rest, ...inserts];
  }

  private placeNewlyActive(integration: Integration): void {
    const [highest] = this.sorted().filter((seat) => seat.id !== integration.id);
    const seat: Seat = { id: integration.id, primary: true, priority: 1, createdAt: integration.createdAt };
    if (highest?.primary) {
      seat.primary = false;
      seat.priority = highest.priority;
      highest.priority += 1;
    } else if (highest) {
      seat.priority = highest.priority + 1;
    }
    this.seats.set(integration.id, seat);
    this.syncFromSeat(integration);
  }

  /** Renumbers the ordering to n…1 (highest first), keeping the primary flags. */
  private compact(): void {
    const ordered = this.sorted();
    ordered.forEach((seat, index) => {
      seat.priority = ordered.length - index;
    });
  }

  private sorted(): Seat[] {
    return [...this.seats.values()].sort(
      (a, b) =>
        b.priority - a.priority ||
        Number(b.primary) - Number(a.primary) ||
        a.createdAt.getTime() - b.createdAt.getTime() ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }

  private seatOf(integration: Integration): Seat {
    let seat = this.seats.get(integration.id);
    if (!seat) {
      seat = { id: integration.id, primary: integration.primary, priority: integration.priority, createdAt: integration.createdAt };
      this.seats.set(integration.id, seat);
    }
    return seat;
  }

  private syncFromSeat(integration: Integration): void {
    const seat = this.seats.get(integration.id);
    if (seat) integration.place(seat.primary, seat.priority);
  }

  private record(kind: Edit['kind'], integration: Integration, wasPrimary: boolean): void {
    const earlier = this.edits.get(integration.id);
    this.edits.set(integration.id, {
      kind: earlier?.kind === 'insert' ? 'insert' : kind,
      integration,
      wasPrimary: earlier?.wasPrimary ?? wasPrimary,
    });
  }

  private assertMine(integration: Integration): void {
    const sameScope = integration.organizationId === this.scope.organizationId && integration.environmentId === this.scope.environmentId;
    if (!sameScope || integration.channel !== this.channel) {
      throw new Error(`integration ${integration.id} is not of ${this.scope.environmentId}/${this.channel ?? 'agent'}`);
    }
  }
}
