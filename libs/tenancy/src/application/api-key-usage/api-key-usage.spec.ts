import { ApiKeyRepository } from '../ports/api-key.repository';
import { Clock } from '../ports/clock';
import { ApiKeyUsage, LAST_USED_INTERVAL_MS } from './api-key-usage';

class FakeClock extends Clock {
  current = Date.parse('2026-01-01T00:00:00Z');
  override now(): Date {
    return new Date(this.current);
  }
}

class RecordingRepository extends ApiKeyRepository {
  readonly writes: [string, number, number][] = [];
  failNext = false;
  override async findActivePrincipalByHash(): Promise<undefined> {
    return undefined;
  }
  override async revoke(): Promise<'not-found'> {
    return 'not-found';
  }
  override async listForOrganization(): Promise<never[]> {
    return [];
  }
  override insert(): Promise<never> {
    throw new Error('not used');
  }
  override async recordUse(apiKeyId: string, at: Date, minIntervalMs: number): Promise<void> {
    this.writes.push([apiKeyId, at.getTime(), minIntervalMs]);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database down');
    }
  }
}

describe('ApiKeyUsage', () => {
  it('writes at most once per interval per key, and again once the interval has passed', () => {
    const clock = new FakeClock();
    const repository = new RecordingRepository();
    const usage = new ApiKeyUsage(repository, clock);
    const start = clock.current;
    usage.record('a');
    usage.record('a');
    usage.record('b');
    clock.current += LAST_USED_INTERVAL_MS - 1;
    usage.record('a');
    clock.current += 1;
    usage.record('a');
    expect(repository.writes).toEqual([
      ['a', start, LAST_USED_INTERVAL_MS],
      ['b', start, LAST_USED_INTERVAL_MS],
      ['a', start + LAST_USED_INTERVAL_MS, LAST_USED_INTERVAL_MS],
    ]);
  });

  it('a failed write is not the caller’s problem', async () => {
    const repository = new RecordingRepository();
    repository.failNext = true;
    const usage = new ApiKeyUsage(repository, new FakeClock());
    expect(() => usage.record('a')).not.toThrow();
    await new Promise((done) => setImmediate(done));
    expect(repository.writes).toHaveLength(1);
  });
});
