/** Request bodies for POST/PUT /v1/integrations (object mothers: valid by default, override what matters). */

export const sendgridCredentials = { apiKey: 'SG.super-secret-key', from: 'ops@example.com', senderName: 'Acme' };
export const twilioCredentials = { accountSid: 'AC-secret-sid', token: 'twilio-secret-token', from: '+15550100' };
export const smtpCredentials = {
  host: 'smtp.example.com',
  port: '587',
  from: 'ops@example.com',
  senderName: 'Acme',
  user: 'smtp-user',
  password: 'smtp-secret-password',
  secure: true,
  requireTls: false,
  tlsOptions: { rejectUnauthorized: false, minVersion: 'TLSv1.2' },
};

export function sendgridPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { providerId: 'sendgrid', channel: 'email', credentials: { ...sendgridCredentials }, ...overrides };
}

export function activeEmailPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return sendgridPayload({ active: true, ...overrides });
}

export function activeSmsPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { providerId: 'twilio', channel: 'sms', active: true, credentials: { ...twilioCredentials }, ...overrides };
}

export function condition(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    isNegated: false,
    type: 'BOOLEAN',
    value: 'AND',
    children: [{ field: 'tier', value: 'pro', operator: 'EQUAL', on: 'subscriber' }],
    ...overrides,
  };
}
