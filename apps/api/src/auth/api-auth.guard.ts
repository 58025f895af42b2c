import { Actor } from '@app/integrations';
import { AuthenticateApiKey, EnvironmentsQuery, SessionTokens } from '@app/tenancy';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthenticatedRequest } from './authenticated-request';
import { AUTH_MESSAGES, parseAuthorizationHeader, singleHeader } from './authorization-header';

/** Header a session caller uses to pick one of its organization's environments. */
export const ENVIRONMENT_HEADER = 'novu-environment-id';

/**
 * Resolves the caller from `Authorization` (docs/contract.md §2) and puts an `Actor` on the request:
 * - `ApiKey <secret>`: the key's own environment;
 * - `Bearer <session token>`: the environment of header `Novu-Environment-Id`, else the token's,
 *   which must belong to the token's organization.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly authenticateApiKey: AuthenticateApiKey,
    private readonly sessionTokens: SessionTokens,
    private readonly environments: EnvironmentsQuery,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const { actor, apiKeyId } = await this.resolveCaller(request.headers.authorization, request.headers[ENVIRONMENT_HEADER]);
    request.actor = actor;
    if (apiKeyId) request.apiKeyId = apiKeyId;
    return true;
  }

  /** The caller for these header values; throws 401 with the contract's messages. */
  async resolve(authorization: string | string[] | undefined, environmentHeader?: string | string[]): Promise<Actor> {
    return (await this.resolveCaller(authorization, environmentHeader)).actor;
  }

  private async resolveCaller(
    authorization: string | string[] | undefined,
    environmentHeader?: string | string[],
  ): Promise<{ actor: Actor; apiKeyId?: string }> {
    const credential = parseAuthorizationHeader(authorization);

    if (credential.scheme === 'api-key') {
      const key = await this.authenticateApiKey.execute(credential.secret);
      if (!key) throw new UnauthorizedException(AUTH_MESSAGES.apiKeyNotFound);
      return { actor: { kind: 'api-key', organizationId: key.organizationId, environmentId: key.environmentId }, apiKeyId: key.apiKeyId };
    }

    const session = await this.sessionTokens.verify(credential.token);
    if (!session) throw new UnauthorizedException(AUTH_MESSAGES.unauthorized);

    const environmentId = singleHeader(environmentHeader) ?? session.environmentId;
    const environment = environmentId ? await this.environments.findInOrganization(session.organizationId, environmentId) : undefined;
    if (!environment) throw new UnauthorizedException(AUTH_MESSAGES.environmentNotFound);

    return { actor: { kind: 'session', organizationId: session.organizationId, environmentId: environment.id, userId: session.userId } };
  }
}
