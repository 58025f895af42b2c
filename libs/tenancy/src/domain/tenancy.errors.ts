/** Every failure the tenancy library reports. Hosts map codes, never messages. */
export const TENANCY_ERROR_CODES = ['INVALID_ORGANIZATION_NAME', 'API_KEY_NOT_FOUND', 'INVALID_TENANCY_OPTIONS'] as const;
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

  static invalidOptions(reason: string): TenancyError {
    return new TenancyError('INVALID_TENANCY_OPTIONS', `Invalid tenancy options: ${reason}`);
  }
}
