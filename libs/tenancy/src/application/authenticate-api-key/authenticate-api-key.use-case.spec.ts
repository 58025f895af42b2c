import { ApiKeyPrincipal } from '../../domain/api-key';
import { hashApiKeySecret } from '../../domain/api-key-secret';
import { ApiKeyRepository, RevokeOutcome } from '../ports/api-key.repository';
import { Clock } from '../ports/clock';
import { RevokeApiKey } from '../revoke-api-key/revoke-api-key.use-case';
import { ApiKeyCache } from '../api-key-cache/api-key-cache';
import { AuthenticateApiKey } from './authenticate-api-key.use-case';

const KEY_ID = '11111111-1111-4111-8111-111111111111';
const SECRET = 'a'.repeat(64);
const PRINCIPAL: ApiKeyPrincipal = { apiKeyId: KEY_ID, organizationId: 'org', environmentId: 'env' };

class FakeClock extends Clock {
  current = Date.parse('2026-01-01T00:00:00Z');
  override now(): Date {
    return new Date(this.current);
  }
}

class FakeApiKeyRepository extends ApiKeyRepository {
  lookups = 0;
  revoked = false;
  /** When set, lookups wait for it (to interleave a revocation). */
  gate?: Promise<void>;

  override async findActivePrincipalByHash(keyHash: string): Promise<ApiKeyPrincipal | undefined> {
    this.lookups++;
    const revokedAtStart = this.revoked;
    if (this.gate) await this.gate;
    return keyHash === hashApiKeySecret(SECRET) && !revokedAtStart ? PRINCIPAL : undefined;
  }

  override async revoke(apiKeyId: string): Promise<RevokeOutcome> {
    if (apiKeyId !== KEY_ID) return 'not-found';
    if (this.revoked) return 'already-revoked';
    this.revoked = true;
    return 'revoked';
  }

  // Not used by these specs
  override listForOrganization(): Promise<never> {
    throw new Error('not used');
  }
  override insert(): Promise<never> {
    throw new Error('not used');
  }
  override async recordUse(): Promise<void> {}
}

function build(ttlMs = 30_000) {
  const clock = new FakeClock();
  const repository = new FakeApiKeyRepository();
  const cache = new ApiKeyCache({ ttlMs, maxEntries: 10 }, clock);
  return {
    clock,
    repository,
    authenticate: new AuthenticateApiKey(repository, cache),
    revoke: new RevokeApiKey(repository, cache, clock),
  };
}

describe('AuthenticateApiKey with RevokeApiKey', () => {
  it('looks a key up once, then serves it from the cache until the ttl passes', async () => {
    const { authenticate, repository, clock } = build(1000);

    expect(await authenticate.execute(SECRET)).toEqual(PRINCIPAL);
    expect(await authenticate.execute(SECRET)).toEqual(PRINCIPAL);
    expect(repository.lookups).toBe(1);
    clock.current += 1000;
    await authenticate.execute(SECRET);
    expect(repository.lookups).toBe(2);
  });

  it('does not cache misses', async () => {
    const { authenticate, repository } = build();

    expect(await authenticate.execute('b'.repeat(64))).toBeUndefined();
    expect(await authenticate.execute('b'.repeat(64))).toBeUndefined();
    expect(repository.lookups).toBe(2);
  });

  it('refuses empty and oversized secrets without a lookup', async () => {
    const { authenticate, repository } = build();

    expect(await authenticate.execute('')).toBeUndefined();
    expect(await authenticate.execute('x'.repeat(513))).toBeUndefined();
    expect(repository.lookups).toBe(0);
  });

  it('stops accepting a key in this process as soon as it is revoked', async () => {
    const { authenticate, revoke } = build();
    await authenticate.execute(SECRET);

    await revoke.execute(KEY_ID);

    expect(await authenticate.execute(SECRET)).toBeUndefined();
  });

  it('does not let a lookup in flight during a revocation re-populate the cache', async () => {
    const { authenticate, revoke, repository } = build();
    let open!: () => void;
    repository.gate = new Promise((resolve) => (open = resolve));

    const inFlight = authenticate.execute(SECRET); // read before the revocation
    await revoke.execute(KEY_ID);
    open();
    expect(await inFlight).toEqual(PRINCIPAL); // that request raced the revocation…
    repository.gate = undefined;
    expect(await authenticate.execute(SECRET)).toBeUndefined(); // …but nothing stale was cached
  });

  it('revoking is idempotent; unknown and malformed ids are API_KEY_NOT_FOUND', async () => {
    const { revoke } = build();
    await revoke.execute(KEY_ID);
    await expect(revoke.execute(KEY_ID)).resolves.toBeUndefined();
    await expect(revoke.execute('22222222-2222-4222-8222-222222222222')).rejects.toMatchObject({ code: 'API_KEY_NOT_FOUND' });
    await expect(revoke.execute('not-a-uuid')).rejects.toMatchObject({ code: 'API_KEY_NOT_FOUND' });
  });
});
