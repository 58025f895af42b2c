/** The clock of a {@link CollapsedLog}: ends its intervals (a fake one in tests). */
export interface LogClock {
  /** Runs `callback` once after `ms`; the timer must not keep the process alive. */
  schedule(callback: () => void, ms: number): void;
}

export const systemLogClock: LogClock = {
  schedule: (callback, ms) => void setTimeout(callback, ms).unref(),
};

export const DEFAULT_COLLAPSE_INTERVAL_MS = 10_000;

/**
 * Collapses a message that repeats (one per failed request during a database outage) into one line
 * per interval: the first occurrence is written at once; the ones that follow within the interval
 * are counted, and when it ends one line gives the latest of them and how many there were:
 * `Database unavailable on GET /v1/integrations: … (and 137 more in the last 10 s)`. An interval
 * with no repeat ends the collapsing: the next occurrence is written at once again.
 */
export class CollapsedLog {
  private windowOpen = false;
  private repeats = 0;
  private latest = '';

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs: number = DEFAULT_COLLAPSE_INTERVAL_MS,
    private readonly clock: LogClock = systemLogClock,
  ) {
    if (!(intervalMs > 0)) throw new RangeError('the collapse interval must be positive');
  }

  report(message: string): void {
    if (!this.windowOpen) {
      this.write(message);
      this.openWindow();
      return;
    }
    this.repeats += 1;
    this.latest = message;
  }

  private openWindow(): void {
    this.windowOpen = true;
    this.repeats = 0;
    this.clock.schedule(() => this.closeWindow(), this.intervalMs);
  }

  private closeWindow(): void {
    if (this.repeats === 0) {
      this.windowOpen = false;
      return;
    }
    this.write(`${this.latest} (and ${this.repeats} more in the last ${formatInterval(this.intervalMs)})`);
    // Still repeating: keep collapsing for another interval.
    this.openWindow();
  }
}

function formatInterval(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000} s` : `${ms} ms`;
}
