import { Injectable } from '@nestjs/common';
import { generateApiKeySecret, hashApiKeySecret } from '../../domain/api-key-secret';
import { TenancyError } from '../../domain/tenancy.errors';
import { isUuid } from '../../domain/uuid';
import { ApiKeyRepository } from '../ports/api-key.repository';
import { EnvironmentRepository } from '../ports/environment.repository';

export interface CreatedApiKey {
  readonly id: string;
  readonly environmentId: string;
  readonly organizationId: string;
  readonly createdAt: Date;
  /** The secret: it exists only here, the database keeps its SHA-256. */
  readonly apiKey: string;
}

/**
 * A new API key for an existing environment (next to its other keys: nothing is revoked). Throws
 * `ENVIRONMENT_NOT_FOUND` for unknown ids.
 */
@Injectable()
export class CreateApiKey {
  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly environments: EnvironmentRepository,
  ) {}

  async execute(command: { readonly environmentId: string }): Promise<CreatedApiKey> {
    const { environmentId } = command;
    if (!isUuid(environmentId)) throw TenancyError.environmentNotFound(String(environmentId));
    const environment = await this.environments.findById(environmentId);
    if (!environment) throw TenancyError.environmentNotFound(environmentId);
    const secret = generateApiKeySecret();
    const { id, createdAt } = await this.apiKeys.insert(environment.id, hashApiKeySecret(secret));
    return { id, environmentId: environment.id, organizationId: environment.organizationId, createdAt, apiKey: secret };
  }
}
