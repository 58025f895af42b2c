import { ApiKeyPrincipal } from '../../domain/api-key';
import { Clock } from '../ports/clock';
import { ApiKeyCache } from './api-key-cache';

class FakeClock extends Clock {
  current = Date.parse('2026-01-01T00:00:00Z');
  override now(): Date {
    return new Date(this.current);
  }
}

const principal = (n: number): ApiKeyPrincipal => ({ apiKeyId: `key-${n}`, organizationId: 'org', environmentId: 'env' });

function build(ttlMs = 1000, maxEntries = 3) {
  const clock = new FakeClock();
  return { clock, cache: new ApiKeyCache({ ttlMs, maxEntries }, clock) };
}

describe('ApiKeyCache', () => {
  it('serves an entry until its ttl has passed', () => {
    const { cache, clock } = build(1000);
    cache.set('h1', principal(1), cache.generation);

    clock.current += 999;
    expect(cache.get('h1')).toEqual(principal(1));
    clock.current += 1;
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used entry past maxEntries', () => {
    const { cache } = build(1000, 3);
    for (const n of [1, 2, 3]) cache.set(`h${n}`, principal(n), cache.generation);
    cache.get('h1'); // h2 is now the least recently used
    cache.set('h4', principal(4), cache.generation);

    expect(cache.size).toBe(3);
    expect(cache.get('h2')).toBeUndefined();
    expect(cache.get('h1')).toEqual(principal(1));
    expect(cache.get('h3')).toEqual(principal(3));
    expect(cache.get('h4')).toEqual(principal(4));
  });

  it('invalidates by api key id', () => {
    const { cache } = build();
    cache.set('h1', principal(1), cache.generation);
    cache.set('h2', principal(2), cache.generation);
    cache.invalidate('key-1');

    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toEqual(principal(2));
  });

  it('ignores a result of a lookup that started before an invalidation', () => {
    const { cache } = build();
    const generation = cache.generation;
    cache.invalidate('key-1'); // revoked while the lookup was in flight
    cache.set('h1', principal(1), generation);

    expect(cache.get('h1')).toBeUndefined();
  });

  it('caches nothing when ttl is 0', () => {
    const { cache } = build(0);
    cache.set('h1', principal(1), cache.generation);

    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('clear drops everything', () => {
    const { cache } = build();
    cache.set('h1', principal(1), cache.generation);
    cache.clear();

    expect(cache.size).toBe(0);
  });
});
