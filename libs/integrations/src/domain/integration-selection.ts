import { ChannelType, PRIMARY_CHANNELS } from './channels';
import { evaluateConditions, TenantContext } from './condition-evaluation';
import { IntegrationState } from './integration';

/** What a delivery asks for (docs/contract.md §8). */
export interface SelectionRequest {
  readonly channel: ChannelType;
  readonly providerId?: string;
  readonly identifier?: string;
  readonly integrationId?: string;
  readonly tenant?: TenantContext;
}

/** The fields the rules read. */
export type Selectable = Pick<
  IntegrationState,
  'id' | 'identifier' | 'providerId' | 'channel' | 'kind' | 'active' | 'deleted' | 'primary' | 'priority' | 'createdAt' | 'conditions'
>;

export interface SelectionCandidate {
  readonly id: string;
  readonly identifier: string;
  readonly providerId: string;
  readonly selected: boolean;
  readonly reason: string;
}

export interface SelectionOutcome<T extends Selectable> {
  readonly integration?: T;
  /** In the order a worker tries them when the chosen one fails. */
  readonly fallbacks: readonly T[];
  /** Every integration looked at, in the channel's order, with why it was taken or passed over. */
  readonly candidates: readonly SelectionCandidate[];
}

/**
 * The channel's order: highest priority first, then newest, then id (a stable tie-break). For email
 * and sms the primary has the highest priority (set-primary and placement keep it so); for the
 * other channels every priority is 0, so this is "newest first".
 */
export function channelOrder(a: Selectable, b: Selectable): number {
  return b.priority - a.priority || b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Which integration delivers a message, and what to fail over to (docs/contract.md §8). `rows` are
 * the channel's integrations as loaded (any order); inactive, deleted, agent and other-channel rows
 * are never chosen nor fallbacks (inactive ones are listed as candidates with reason "inactive",
 * deleted ones not at all).
 *
 * - `identifier` and/or `integrationId`: the active integration with that identifier (and id); its
 *   conditions are not evaluated, it was asked for by name.
 * - otherwise the pool is: integrations with conditions that pass, then integrations without
 *   conditions, each part in the channel's order. Conditions are evaluated against the tenant when
 *   one is given; without one, conditions on the tenant cannot pass.
 *   - email/sms without a tenant: the primary (none when the channel has no primary);
 *   - else the first of the pool.
 * - `providerId` narrows everything to that provider.
 * - fallbacks: the rest of the pool, in its order (only when an integration was chosen).
 */
export function selectIntegration<T extends Selectable>(rows: readonly T[], request: SelectionRequest): SelectionOutcome<T> {
  const reasons = new Map<string, string>();
  const considered = rows.filter((row) => !row.deleted && row.kind === 'delivery' && row.channel === request.channel).sort(channelOrder);
  const eligible: T[] = [];
  for (const row of considered) {
    if (!row.active) reasons.set(row.id, 'inactive');
    else if (request.providerId !== undefined && row.providerId !== request.providerId) {
      reasons.set(row.id, `provider is not ${JSON.stringify(request.providerId)}`);
    } else eligible.push(row);
  }

  const conditional: T[] = [];
  const unconditional: T[] = [];
  for (const row of eligible) {
    if (row.conditions.length === 0) {
      unconditional.push(row);
      continue;
    }
    const verdict = evaluateConditions(row.conditions, { tenant: request.tenant });
    if (verdict.passed) conditional.push(row);
    else reasons.set(row.id, verdict.reason);
  }
  const pool = [...conditional, ...unconditional];

  let chosen: T | undefined;
  let chosenReason = '';
  if (request.identifier !== undefined || request.integrationId !== undefined) {
    chosen = eligible.find(
      (row) =>
        (request.identifier === undefined || row.identifier === request.identifier) &&
        (request.integrationId === undefined || row.id === request.integrationId),
    );
    chosenReason = 'selected: the requested integration';
    for (const row of eligible) if (row !== chosen) reasons.set(row.id, 'not the requested integration');
  } else if (PRIMARY_CHANNELS.includes(request.channel) && request.tenant === undefined) {
    chosen = pool.find((row) => row.primary);
    chosenReason = 'selected: the primary of the channel';
    for (const row of pool) if (row !== chosen) reasons.set(row.id, 'not primary');
  } else {
    chosen = pool[0];
    if (chosen) {
      chosenReason =
        chosen.conditions.length > 0
          ? 'selected: the first whose conditions pass (highest priority, then newest)'
          : conditional.length === 0 && eligible.some((row) => row.conditions.length > 0)
            ? 'selected: no conditional integration passed; the first without conditions (highest priority, then newest)'
            : 'selected: the first without conditions (highest priority, then newest)';
    }
  }

  const fallbacks = chosen ? pool.filter((row) => row !== chosen) : [];
  fallbacks.forEach((row, index) => reasons.set(row.id, `fallback ${index + 1}${reasonSuffix(reasons.get(row.id))}`));
  if (chosen) reasons.set(chosen.id, chosenReason);

  return {
    ...(chosen ? { integration: chosen } : {}),
    fallbacks,
    candidates: considered.map((row) => ({
      id: row.id,
      identifier: row.identifier,
      providerId: row.providerId,
      selected: row === chosen,
      reason: reasons.get(row.id) ?? 'not selected',
    })),
  };
}

/** A fallback keeps why it was not the first choice ("fallback 1 (not primary)"). */
function reasonSuffix(previous: string | undefined): string {
  return previous ? ` (${previous})` : '';
}
