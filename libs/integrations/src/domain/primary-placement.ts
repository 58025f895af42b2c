/** The active integration with the highest priority in an environment and channel. */
export interface PriorityHolder {
  readonly id: string;
  readonly priority: number;
  readonly primary: boolean;
}

export interface Placement {
  primary: boolean;
  priority: number;
  /** When set, the current highest holder must move to this priority (it stays on top). */
  bumpHighestTo?: number;
}

/**
 * Where a newly activated email/sms integration goes (spec §3 "Primary and priority"):
 * - nobody active → it becomes primary with priority 1;
 * - the highest is primary → it takes the highest's priority, not primary, and the primary moves up by one;
 * - the highest is not primary → it goes above it and becomes primary.
 */
export function placeNewActiveIntegration(highest: PriorityHolder | undefined): Placement {
  if (!highest) return { primary: true, priority: 1 };
  if (highest.primary) {
    return { primary: false, priority: highest.priority, bumpHighestTo: highest.priority + 1 };
  }
  return { primary: true, priority: highest.priority + 1 };
}

/**
 * Renumbers the active integrations of one channel, given highest first, to n..1 so priorities stay
 * a compact order. Primary flags are kept. Returns only the entries whose priority changes.
 */
export function compactPriorities(
  orderedHighestFirst: readonly PriorityHolder[],
): { id: string; primary: boolean; priority: number }[] {
  const total = orderedHighestFirst.length;
  return orderedHighestFirst
    .map((holder, index) => ({ id: holder.id, primary: holder.primary, priority: total - index, was: holder.priority }))
    .filter((entry) => entry.priority !== entry.was)
    .map(({ id, primary, priority }) => ({ id, primary, priority }));
}
