import { AuthenticateApiKey, EnvironmentsQuery, SessionTokens } from '@app/tenancy';
import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { ApiAuthGuard } from './api-auth.guard';
import { MAX_ECHOED_SCHEME_LENGTH, parseAuthorizationHeader } from './authorization-header';

const ORG = '11111111-1111-4111-8111-111111111111';
const DEV_ENV = '22222222-2222-4222-8222-222222222222';
const PROD_ENV = '33333333-3333-4333-8333-333333333333';
const FOREIGN_ENV = '44444444-4444-4444-8444-444444444444';

/** Small fakes with the shape of the tenancy classes (no module mocking). */
class FakeAuthenticateApiKey implements Pick<AuthenticateApiKey, 'execute'> {
  readonly seen: string[] = [];
  async execute(secret: string) {
    this.seen.push(secret);
    return secret === 'good-secret' ? { apiKeyId: 'key-1', organizationId: ORG, environmentId: DEV_ENV } : undefined;
  }
}

class FakeSessionTokens implements Pick<SessionTokens, 'verify'> {
  async verify(token: string) {
    return token === 'valid.session.token'
      ? { userId: 'user-1', organizationId: ORG, environmentId: DEV_ENV, issuedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER }
      : undefined;
  }
}

class FakeEnvironmentsQuery implements Pick<EnvironmentsQuery, 'findInOrganization'> {
  async findInOrganization(organizationId: string, environmentId: string) {
    const known = [DEV_ENV, PROD_ENV];
    return organizationId === ORG && known.includes(environmentId)
      ? { id: environmentId, name: 'Env', organizationId, createdAt: new Date() }
      : undefined;
  }
}

function buildGuard() {
  const apiKeys = new FakeAuthenticateApiKey();
  const guard = new ApiAuthGuard(
    apiKeys as unknown as AuthenticateApiKey,
    new FakeSessionTokens() as unknown as SessionTokens,
    new FakeEnvironmentsQuery() as unknown as EnvironmentsQuery,
  );
  return { guard, apiKeys };
}

async function rejection(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedException);
    const exception = error as UnauthorizedException;
    return { status: exception.getStatus(), message: exception.message };
  }
  throw new Error('expected a rejection');
}

describe('parseAuthorizationHeader', () => {
  it('reads the API key scheme and secret', () => {
    expect(parseAuthorizationHeader('ApiKey abc123')).toEqual({ scheme: 'api-key', secret: 'abc123' });
  });

  it('reads a bearer token, tolerating extra whitespace and scheme case', () => {
    expect(parseAuthorizationHeader('  bearer   a.b.c  ')).toEqual({ scheme: 'bearer', token: 'a.b.c' });
  });

  it.each([
    [undefined, 'Missing authorization header'],
    ['', 'Missing authorization header'],
    ['   ', 'Missing authorization header'],
    ['Basic dXNlcjpwYXNz', 'Invalid authentication scheme: "Basic"'],
    ['Token abc', 'Invalid authentication scheme: "Token"'],
    ['SCRAM-SHA-256 realm=x', 'Invalid authentication scheme: "SCRAM-SHA-256"'],
    ['Token', 'Invalid authentication scheme: send "ApiKey <key>" or "Bearer <token>"'],
    ['ApiKey', 'Unauthorized'],
    ['ApiKey    ', 'Unauthorized'],
    ['Bearer', 'Unauthorized'],
  ])('refuses %p with 401 %p', (header, message) => {
    expect(() => parseAuthorizationHeader(header)).toThrow(new UnauthorizedException(message));
  });
});

describe('parseAuthorizationHeader never echoes what may be a secret', () => {
  const secret = '16cacf7e9a2b4c1d8e3f5a6b7c8d9e0f';
  it.each([
    ['a key sent without its scheme', secret],
    ['a key with a trailing word', `${secret} extra`],
    ['a scheme with a colon', `ApiKey:${secret}`],
    ['a first word that is not a token', `k(${secret.slice(0, 8)}) ${secret}`],
    ['a scheme one character too long', `${'S'.repeat(MAX_ECHOED_SCHEME_LENGTH + 1)} value`],
  ])('%s → 401 without the value', (_label, header) => {
    let message = '';
    try {
      parseAuthorizationHeader(header);
    } catch (error) {
      expect(error).toBeInstanceOf(UnauthorizedException);
      message = (error as UnauthorizedException).message;
    }
    expect(message).toBe('Invalid authentication scheme: send "ApiKey <key>" or "Bearer <token>"');
    expect(message).not.toContain(secret.slice(0, 8));
  });

  it('still names a short token scheme of the longest echoed length', () => {
    const scheme = 'S'.repeat(MAX_ECHOED_SCHEME_LENGTH);
    expect(() => parseAuthorizationHeader(`${scheme} value`)).toThrow(
      new UnauthorizedException(`Invalid authentication scheme: "${scheme}"`),
    );
  });
});

describe('ApiAuthGuard', () => {
  it('resolves an API key to its own environment', async () => {
    const { guard, apiKeys } = buildGuard();
    await expect(guard.resolve('ApiKey good-secret')).resolves.toEqual({ kind: 'api-key', organizationId: ORG, environmentId: DEV_ENV });
    expect(apiKeys.seen).toEqual(['good-secret']);
  });

  it('ignores Novu-Environment-Id for API keys', async () => {
    const { guard } = buildGuard();
    await expect(guard.resolve('ApiKey good-secret', PROD_ENV)).resolves.toMatchObject({ environmentId: DEV_ENV });
  });

  it('refuses an unknown key with "API Key not found"', async () => {
    const { guard } = buildGuard();
    await expect(rejection(guard.resolve('ApiKey unknown'))).resolves.toEqual({ status: 401, message: 'API Key not found' });
  });

  it('resolves a session to the token environment by default', async () => {
    const { guard } = buildGuard();
    await expect(guard.resolve('Bearer valid.session.token')).resolves.toEqual({
      kind: 'session',
      organizationId: ORG,
      environmentId: DEV_ENV,
      userId: 'user-1',
    });
  });

  it('uses Novu-Environment-Id for sessions when it belongs to the organization', async () => {
    const { guard } = buildGuard();
    await expect(guard.resolve('Bearer valid.session.token', PROD_ENV)).resolves.toMatchObject({ environmentId: PROD_ENV });
    await expect(guard.resolve('Bearer valid.session.token', [PROD_ENV, DEV_ENV])).resolves.toMatchObject({ environmentId: PROD_ENV });
  });

  it.each([[FOREIGN_ENV], ['not-a-uuid']])('refuses environment %p outside the organization', async (environmentId) => {
    const { guard } = buildGuard();
    await expect(rejection(guard.resolve('Bearer valid.session.token', environmentId))).resolves.toEqual({
      status: 401,
      message: 'Cannot find environment',
    });
  });

  it('refuses an invalid token with "Unauthorized"', async () => {
    const { guard } = buildGuard();
    await expect(rejection(guard.resolve('Bearer forged.token.value'))).resolves.toEqual({ status: 401, message: 'Unauthorized' });
  });

  it('puts the actor on the request', async () => {
    const { guard } = buildGuard();
    const request: Record<string, unknown> = { headers: { authorization: 'ApiKey good-secret' } };
    const context = { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(request.actor).toEqual({ kind: 'api-key', organizationId: ORG, environmentId: DEV_ENV });
  });
});
