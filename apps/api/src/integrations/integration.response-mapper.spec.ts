import { Actor } from '@app/integrations';
import { buildIntegration, buildSmtpIntegration } from '../../../../test/factories/integration.factory';
import { IntegrationResponseMapper } from './integration.response-mapper';

const session: Actor = { kind: 'session', organizationId: 'org', environmentId: 'env', userId: 'user' };
const apiKey: Actor = { kind: 'api-key', organizationId: 'org', environmentId: 'env' };

function nullPaths(value: unknown, path = ''): string[] {
  if (value === null) return [path || '(root)'];
  if (typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => nullPaths(child, path ? `${path}.${key}` : key));
}

describe('IntegrationResponseMapper', () => {
  const mapper = new IntegrationResponseMapper();

  it('maps every field with the wire names and ISO dates', () => {
    const integration = buildIntegration({ active: true, primary: true, priority: 2 });
    expect(mapper.toResponse(integration, session)).toEqual({
      _id: integration.id,
      _environmentId: integration.environmentId,
      _organizationId: integration.organizationId,
      name: integration.name,
      identifier: integration.identifier,
      providerId: 'sendgrid',
      channel: 'email',
      kind: 'delivery',
      active: true,
      deleted: false,
      primary: true,
      priority: 2,
      credentials: integration.credentials,
      configurations: {},
      conditions: [],
      createdAt: integration.createdAt.toISOString(),
      updatedAt: integration.updatedAt.toISOString(),
    });
  });

  it('omits absent optionals and never emits null', () => {
    const integration = buildIntegration({
      kind: 'agent',
      channel: undefined,
      configurations: { inboxCount: undefined, configurationSetName: null as unknown as string },
      credentials: { apiKey: 'k', from: null as unknown as string },
      conditions: [
        { isNegated: false, value: 'AND', type: undefined, children: [{ field: 'a', value: 'b', operator: 'EQUAL', on: 'payload' }] },
      ],
    });
    const response = mapper.toResponse(integration, session);
    expect(nullPaths(response)).toEqual([]);
    expect(response).not.toHaveProperty('channel');
    expect(response).not.toHaveProperty('deletedAt');
    expect(response).not.toHaveProperty('deletedBy');
    expect(response.configurations).toEqual({});
    expect(response.credentials).toEqual({ apiKey: 'k' });
    expect(response.conditions).toEqual([
      { isNegated: false, value: 'AND', children: [{ field: 'a', value: 'b', operator: 'EQUAL', on: 'payload' }] },
    ]);
    expect(JSON.stringify(response)).not.toContain('null');
  });

  it('includes the deletion fields of a deleted integration', () => {
    const deletedAt = new Date('2025-02-03T04:05:06.007Z');
    const response = mapper.toResponse(buildIntegration({ deleted: true, deletedAt, deletedBy: 'user-9' }), session);
    expect(response).toMatchObject({ deleted: true, deletedAt: '2025-02-03T04:05:06.007Z', deletedBy: 'user-9' });
  });

  it('gives session callers the decrypted credentials with their types', () => {
    const integration = buildSmtpIntegration();
    const response = mapper.toResponse(integration, session);
    expect(response.credentials).toEqual(integration.credentials);
    expect(typeof response.credentials?.port).toBe('string');
    expect(typeof response.credentials?.secure).toBe('boolean');
    expect(response.credentials?.tlsOptions).toEqual({ rejectUnauthorized: false, minVersion: 'TLSv1.2' });
  });

  it('gives API-key callers credentials: {} (one answer for every route), never the values', () => {
    const response = mapper.toResponse(buildSmtpIntegration(), apiKey);
    expect(response.credentials).toEqual({});
    expect(JSON.stringify(response)).not.toContain('smtp-factory-secret-password');
    const responses = mapper.toResponses([buildIntegration(), buildSmtpIntegration()], apiKey);
    expect(responses.map((r) => r.credentials)).toEqual([{}, {}]);
  });

  it('gives session callers an empty credentials object when none is stored', () => {
    expect(mapper.toResponse(buildIntegration({ credentials: undefined }), session).credentials).toEqual({});
  });

  it('shows the inbound webhook signing key to sessions only', () => {
    const integration = buildIntegration({ configurations: { inboundWebhookEnabled: true, inboundWebhookSigningKey: 'whsec-1' } });
    expect(mapper.toResponse(integration, session).configurations).toEqual({
      inboundWebhookEnabled: true,
      inboundWebhookSigningKey: 'whsec-1',
    });
    expect(mapper.toResponse(integration, apiKey).configurations).toEqual({ inboundWebhookEnabled: true });
  });

  it('does not leak fields the wire format does not have', () => {
    const integration = { ...buildIntegration(), secretInternal: 'x' } as unknown as ReturnType<typeof buildIntegration>;
    expect(mapper.toResponse(integration, session)).not.toHaveProperty('secretInternal');
  });
});
