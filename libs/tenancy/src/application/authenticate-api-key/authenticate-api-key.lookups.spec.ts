import { ApiKeyPrincipal } from '../../domain/api-key';
import { hashApiKeySecret } from '../../domain/api-key-secret';
import { ApiKeyCache } from '../api-key-cache/api-key-cache';
import { ApiKeyLookupObserver } from '../ports/api-key-lookup-observer';
import { ApiKeyRepository, RevokeOutcome } from '../ports/api-key.repository';
import { Clock } from '../ports/clock';
import { AuthenticateApiKey } from './authenticate-api-key.use-case';

const SECRET = 'b'.repeat(64);
const PRINCIPAL: ApiKeyPrincipal = { apiKeyId: '22222222-2222-4222-8222-222222222222', organizationId: 'org', environmentId: 'env' };

class FixedClock extends Clock {
  override now(): Date {
    return new Date('2026-01-01T00:00:00Z');
  }
}

class OneKeyRepository extends ApiKeyRepository {
  override async findActivePrincipalByHash(keyHash: string): Promise<ApiKeyPrincipal | undefined> {
    return keyHash === hashApiKeySecret(SECRET) ? PRINCIPAL : undefined;
  }
  override async revoke(): Promise<RevokeOutcome> {
    return 'not-found';
  }
  override listForOrganization(): Promise<never> {
    throw new Error('not used by AuthenticateApiKey');
  }
  override insert(): Promise<never> {
    throw new Error('not used by AuthenticateApiKey');
  }
  override async recordUse(): Promise<void> {}
}

class RecordingLookups extends ApiKeyLookupObserver {
  readonly seen: string[] = [];
  looked(up: 'hit' | 'miss'): void {
    this.seen.push(up);
  }
}

describe('AuthenticateApiKey reports cache hits and misses', () => {
  it('a first lookup misses, the next one hits; unknown keys always miss; refused shapes are not lookups', async () => {
    const lookups = new RecordingLookups();
    const authenticate = new AuthenticateApiKey(
      new OneKeyRepository(),
      new ApiKeyCache({ ttlMs: 30_000, maxEntries: 10 }, new FixedClock()),
      lookups,
    );

    await authenticate.execute(SECRET);
    await authenticate.execute(SECRET);
    await authenticate.execute('c'.repeat(64));
    await authenticate.execute('c'.repeat(64));
    await authenticate.execute('');

    expect(lookups.seen).toEqual(['miss', 'hit', 'miss', 'miss']);
  });
});
