/** One HTTP attempt: a status and body, or `network` when no answer came (reset, refused, timeout). */
export interface Attempt {
  readonly status: number | 'network';
  readonly replay: boolean;
  readonly body?: any;
}

export async function attempt(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown },
  timeoutMs = 15_000,
): Promise<Attempt> {
  try {
    const response = await fetch(url, {
      method: init.method,
      headers: { 'content-type': 'application/json', ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, replay: response.headers.get('idempotency-replay') === 'true', body };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return { status: 'network', replay: false, body: 'timeout' };
    return { status: 'network', replay: false };
  }
}

export const label = (a: Attempt): string => (a.status === 201 && a.replay ? '201 replay' : String(a.status));

/** Runs `worker` on `concurrency` parallel lanes over the items. */
export async function lanes<T>(items: readonly T[], concurrency: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await worker(items[next++]);
    }),
  );
}

/** A short pause between retries of one request (back-off, not a synchronisation). */
export const backOff = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** p50, p99 and max of some durations in ms (figures for the reports, never asserted). */
export function percentiles(ms: readonly number[]): { p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...ms].sort((x, y) => x - y);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return { p50Ms: at(50), p99Ms: at(99), maxMs: sorted[sorted.length - 1] ?? 0 };
}
