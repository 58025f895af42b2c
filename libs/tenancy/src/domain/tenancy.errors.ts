/** Every failure the tenancy library reports. Hosts map codes, never messages. */
export const TENANCY_ERROR_CODES = [
  'INVALID_ORGANIZATION_NAME',
  'API_KEY_NOT_FOUND',
  'INVALID_TENANCY_OPTIONS',
  'ORGANIZATION_NOT_FOUND',
  'ENVIRONMENT_NOT_FOUND',
  'USER_NOT_FOUND',
] as const;
export type TenancyErrorCode = (typeof TENANCY_ERROR_CODES)[number];

export class TenancyError extends Error {
  constructor(
    readonly code: TenancyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TenancyError';
  }

  static invalidOrganizationName(): TenancyError {
    return new TenancyError('INVALID_ORGANIZATION_NAME', 'Organization name must be 1 to 200 characters');
  }

  static apiKeyNotFound(apiKeyId: string): TenancyError {
    return new TenancyError('API_KEY_NOT_FOUND', `API key with id ${apiKeyId} not found`);
  }

  static organizationNotFound(organizationId: string): TenancyError {
    return new TenancyError('ORGANIZATION_NOT_FOUND', `Organization with id ${organizationId} not found`);
  }

  static environmentNotFound(environmentId: string): TenancyError {
    return new TenancyError('ENVIRONMENT_NOT_FOUND', `Environment with id ${environmentId} not found`);
  }

  /** No such user in the organization (or, without an id, the organization has no user). */
  static userNotFound(organizationId: string, userId?: string): TenancyError {
    return new TenancyError(
      'USER_NOT_FOUND',
      userId ? `User with id ${userId} not found in organization ${organizationId}` : `Organization ${organizationId} has no user`,
    );
  }

  static invalidOptions(reason: string): TenancyError {
    return new TenancyError('INVALID_TENANCY_OPTIONS', `Invalid tenancy options: ${reason}`);
  }
}
