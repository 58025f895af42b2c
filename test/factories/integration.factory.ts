import { randomUUID } from 'node:crypto';
import { Integration, IntegrationState } from '../../libs/integrations/src/domain/integration';
import { randomSuffix } from '../../libs/integrations/src/domain/identifier';
import { DEV, ORG } from './scopes';

/** The fields of a SendGrid integration created with nothing but its provider (no id, identifier, tenant or dates); fresh objects each call. */
const newSendGrid = () =>
  ({
    name: 'SendGrid',
    providerId: 'sendgrid',
    channel: 'email',
    kind: 'delivery',
    active: false,
    primary: false,
    priority: 0,
    credentials: {},
    configurations: {},
    conditions: [],
    deleted: false,
  }) satisfies Partial<IntegrationState>;

/** What creating a SendGrid integration in DEV with nothing but its provider yields (besides id, identifier and dates). */
export const NEW_SENDGRID_IN_DEV: Partial<IntegrationState> = { organizationId: ORG, environmentId: DEV, ...newSendGrid() };

/**
 * A valid, inactive SendGrid email integration (domain object, plaintext credentials). Pass the
 * tenant (`organizationId`, `environmentId`) and override what the test is about.
 */
export function buildIntegration(overrides: Partial<IntegrationState> = {}): Integration {
  const now = new Date();
  return Integration.restore({
    id: randomUUID(),
    organizationId: randomUUID(),
    environmentId: randomUUID(),
    ...newSendGrid(),
    identifier: `send-grid-${randomSuffix()}`,
    credentials: { apiKey: 'SG.factory-secret-api-key', from: 'ops@example.com', senderName: 'Acme' },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
}

/** A custom SMTP integration whose credentials mix strings, booleans and an object. */
export function buildSmtpIntegration(overrides: Partial<IntegrationState> = {}): Integration {
  return buildIntegration({
    name: 'Custom SMTP',
    identifier: `custom-smtp-${randomSuffix()}`,
    providerId: 'nodemailer',
    credentials: {
      host: 'smtp.example.com',
      port: '587',
      from: 'ops@example.com',
      senderName: 'Acme',
      user: 'smtp-user',
      password: 'smtp-factory-secret-password',
      secure: true,
      requireTls: false,
      tlsOptions: { rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    },
    ...overrides,
  });
}
