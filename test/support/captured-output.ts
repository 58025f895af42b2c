type Write = typeof process.stdout.write;

/**
 * Records what the process writes to stdout and stderr (the service's log) while still passing it
 * through. `start()` in a beforeAll, `stop()` in the afterAll.
 */
export class CapturedOutput {
  private readonly chunks: string[] = [];
  private readonly listeners = new Set<() => void>();
  private originals?: { out: Write; err: Write };

  start(): void {
    const originals = { out: process.stdout.write, err: process.stderr.write };
    const { chunks, listeners } = this;
    const capture = (original: Write) =>
      function (this: unknown, chunk: unknown, ...rest: unknown[]) {
        chunks.push(String(chunk));
        for (const listener of listeners) listener();
        return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      } as Write;
    process.stdout.write = capture(originals.out);
    process.stderr.write = capture(originals.err);
    this.originals = originals;
  }

  stop(): void {
    if (!this.originals) return;
    process.stdout.write = this.originals.out;
    process.stderr.write = this.originals.err;
    this.originals = undefined;
  }

  /** How many writes so far: a mark to pass to `since` or `matching`. */
  get mark(): number {
    return this.chunks.length;
  }

  /** Everything written since `mark` (by default, since `start`). */
  since(mark = 0): string {
    return this.chunks.slice(mark).join('');
  }

  /** Resolves with the output written since `mark` once it matches `pattern`. */
  matching(mark: number, pattern: RegExp): Promise<string> {
    return new Promise<string>((done) => {
      const check = () => {
        const text = this.since(mark);
        if (!pattern.test(text)) return;
        this.listeners.delete(check);
        done(text);
      };
      this.listeners.add(check);
      check();
    });
  }
}
