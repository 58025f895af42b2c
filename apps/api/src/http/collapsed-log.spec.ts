import { CollapsedLog, LogClock } from './collapsed-log';

/** A clock that only moves when told to, running the timers that fall due. */
class FakeClock implements LogClock {
  private time = 0;
  private timers: { at: number; callback: () => void }[] = [];

  schedule(callback: () => void, ms: number): void {
    this.timers.push({ at: this.time + ms, callback });
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.time = due.at;
      due.callback();
    }
    this.time = until;
  }

  get pending(): number {
    return this.timers.length;
  }
}

describe('CollapsedLog', () => {
  const build = (intervalMs = 10_000) => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const log = new CollapsedLog((line) => lines.push(line), intervalMs, clock);
    return { clock, lines, log };
  };

  it('writes the first occurrence at once, then one line per interval with the count of the others', () => {
    const { clock, lines, log } = build();
    log.report('Database unavailable on GET /v1/integrations: Query read timeout');
    expect(lines).toEqual(['Database unavailable on GET /v1/integrations: Query read timeout']);

    for (let i = 0; i < 137; i++) log.report(`Database unavailable on POST /v1/integrations: timeout ${i}`);
    clock.advance(9_999);
    expect(lines).toHaveLength(1);
    clock.advance(1);
    expect(lines).toEqual([
      'Database unavailable on GET /v1/integrations: Query read timeout',
      'Database unavailable on POST /v1/integrations: timeout 136 (and 137 more in the last 10 s)',
    ]);

    // The outage goes on: still one line per interval.
    for (let i = 0; i < 5; i++) log.report('Database unavailable on GET /v1/integrations: Connection terminated unexpectedly');
    clock.advance(10_000);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('Database unavailable on GET /v1/integrations: Connection terminated unexpectedly (and 5 more in the last 10 s)');
  });

  it('writes nothing more for an interval without repeats, and the next occurrence at once', () => {
    const { clock, lines, log } = build();
    log.report('first');
    clock.advance(10_000);
    expect(lines).toEqual(['first']);
    expect(clock.pending).toBe(0); // no timer left behind once quiet

    clock.advance(60_000);
    log.report('second');
    expect(lines).toEqual(['first', 'second']);
  });

  it('after a summary, an interval without repeats ends the collapsing', () => {
    const { clock, lines, log } = build(2_500);
    log.report('a');
    log.report('b');
    clock.advance(2_500);
    expect(lines).toEqual(['a', 'b (and 1 more in the last 2500 ms)']);
    clock.advance(2_500);
    expect(clock.pending).toBe(0);
    log.report('c');
    expect(lines).toEqual(['a', 'b (and 1 more in the last 2500 ms)', 'c']);
  });

  it('refuses an interval that is not positive', () => {
    expect(() => new CollapsedLog(() => undefined, 0, new FakeClock())).toThrow(RangeError);
  });
});
