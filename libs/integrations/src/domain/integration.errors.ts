/**
 * Every failure a use case can report. The HTTP layer maps each code to a status through an
 * exhaustive Record, so adding a code here without a status does not compile.
 */
export const INTEGRATION_ERROR_CODES = [
  'ENVIRONMENT_NOT_FOUND',
  'ENVIRONMENT_FORBIDDEN',
  'INTEGRATION_NOT_FOUND',
  'INVALID_INTEGRATION',
  'CREDENTIALS_CHECK_FAILED',
  'NOVU_IN_APP_EXISTS',
  'NOVU_PROVIDER_EXISTS',
  'NOVU_PROVIDER_NOT_ALLOWED',
  'IDENTIFIER_TAKEN',
  'PRIMARY_NOT_SUPPORTED',
  'NO_PROPERTIES_TO_UPDATE',
] as const;
export type IntegrationErrorCode = (typeof INTEGRATION_ERROR_CODES)[number];

/** A property-path keyed list of problems, rendered as the 422 `errors` map. */
export type FieldProblems = Record<string, { messages: string[]; value?: unknown }>;

export class IntegrationError extends Error {
  constructor(
    readonly code: IntegrationErrorCode,
    message: string,
    /** For INVALID_INTEGRATION: which properties are wrong and why (the 422 `errors` map). */
    readonly fields?: FieldProblems,
  ) {
    super(message);
    this.name = 'IntegrationError';
  }

  static environmentNotFound(environmentId: string): IntegrationError {
    return new IntegrationError('ENVIRONMENT_NOT_FOUND', `Environment with id ${environmentId} not found`);
  }

  static environmentForbidden(): IntegrationError {
    return new IntegrationError('ENVIRONMENT_FORBIDDEN', 'API key cannot access this environment');
  }

  static integrationNotFound(id: string): IntegrationError {
    return new IntegrationError('INTEGRATION_NOT_FOUND', `Integration with id ${id} not found`);
  }

  static invalid(fields: FieldProblems): IntegrationError {
    return new IntegrationError('INVALID_INTEGRATION', 'Validation Error', fields);
  }

  static identifierTaken(): IntegrationError {
    return new IntegrationError('IDENTIFIER_TAKEN', 'Integration with identifier already exists');
  }
}
