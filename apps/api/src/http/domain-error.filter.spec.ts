import { INTEGRATION_ERROR_CODES, IntegrationError } from '@app/integrations';
import { HttpStatus } from '@nestjs/common';
import { describeIntegrationError, INTEGRATION_ERROR_STATUS } from './domain-error.filter';

describe('INTEGRATION_ERROR_STATUS', () => {
  it('has a 4xx status for every domain error code, and nothing else', () => {
    expect(Object.keys(INTEGRATION_ERROR_STATUS).sort()).toEqual([...INTEGRATION_ERROR_CODES].sort());
    for (const code of INTEGRATION_ERROR_CODES) {
      expect(INTEGRATION_ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(INTEGRATION_ERROR_STATUS[code]).toBeLessThan(500);
    }
  });

  it.each([
    ['ENVIRONMENT_NOT_FOUND', 404],
    ['ENVIRONMENT_FORBIDDEN', 403],
    ['INTEGRATION_NOT_FOUND', 404],
    ['INVALID_INTEGRATION', 422],
    ['CREDENTIALS_CHECK_FAILED', 400],
    ['NOVU_IN_APP_EXISTS', 400],
    ['NOVU_PROVIDER_EXISTS', 409],
    ['NOVU_PROVIDER_NOT_ALLOWED', 400],
    ['IDENTIFIER_TAKEN', 409],
    ['PRIMARY_NOT_SUPPORTED', 400],
    ['NO_PROPERTIES_TO_UPDATE', 400],
  ] as const)('%s → %d', (code, status) => {
    expect(INTEGRATION_ERROR_STATUS[code]).toBe(status);
  });
});

describe('describeIntegrationError', () => {
  it('keeps the domain message for plain errors', () => {
    expect(describeIntegrationError(IntegrationError.identifierTaken())).toEqual({
      status: HttpStatus.CONFLICT,
      message: 'Integration with identifier already exists',
    });
  });

  it('renders INVALID_INTEGRATION as a validation error with its fields', () => {
    const fields = { 'credentials.from': { messages: ['from is required'] } };
    expect(describeIntegrationError(IntegrationError.invalid(fields))).toEqual({
      status: 422,
      message: 'Validation Error',
      errors: fields,
    });
  });

  it('keeps the provider failure text for CREDENTIALS_CHECK_FAILED', () => {
    const message = "Provider gateway can't resolve the host with the given hostname smtp.invalid";
    expect(describeIntegrationError(new IntegrationError('CREDENTIALS_CHECK_FAILED', message))).toEqual({ status: 400, message });
  });
});
