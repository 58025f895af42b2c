import { Injectable } from '@nestjs/common';
import { TenancyError } from '../../domain/tenancy.errors';
import { isUuid } from '../../domain/uuid';
import { EnvironmentRepository } from '../ports/environment.repository';
import { UserRepository } from '../ports/user.repository';
import { SessionTokens } from '../session-tokens/session-tokens';

export interface MintSessionTokenCommand {
  readonly organizationId: string;
  /** Default: the organization's oldest user (the one bootstrap created). */
  readonly userId?: string;
  /** The token's default environment; default: the organization's oldest (Development). */
  readonly environmentId?: string;
}

export interface MintedSessionToken {
  readonly sessionToken: string;
  readonly userId: string;
  readonly organizationId: string;
  readonly environmentId: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * A session token for an existing user of an existing organization, signed with the current secret.
 * Throws `ORGANIZATION_NOT_FOUND`, `USER_NOT_FOUND` or `ENVIRONMENT_NOT_FOUND` (an environment of
 * another organization is not found either).
 */
@Injectable()
export class MintSessionToken {
  constructor(
    private readonly users: UserRepository,
    private readonly environments: EnvironmentRepository,
    private readonly sessionTokens: SessionTokens,
  ) {}

  async execute(command: MintSessionTokenCommand): Promise<MintedSessionToken> {
    const { organizationId, userId, environmentId } = command;
    if (!isUuid(organizationId)) throw TenancyError.organizationNotFound(String(organizationId));
    const environments = await this.environments.listForOrganization(organizationId);
    if (environments.length === 0) throw TenancyError.organizationNotFound(organizationId);
    const environment = environmentId === undefined ? environments[0] : environments.find((candidate) => candidate.id === environmentId);
    if (!environment) throw TenancyError.environmentNotFound(String(environmentId));
    if (userId !== undefined && !isUuid(userId)) throw TenancyError.userNotFound(organizationId, String(userId));
    const user = await this.users.findInOrganization(organizationId, userId);
    if (!user) throw TenancyError.userNotFound(organizationId, userId);

    const subject = { userId: user.id, organizationId, environmentId: environment.id };
    const sessionToken = await this.sessionTokens.sign(subject);
    const claims = await this.sessionTokens.verify(sessionToken);
    return { sessionToken, ...subject, expiresAt: claims!.expiresAt };
  }
}
