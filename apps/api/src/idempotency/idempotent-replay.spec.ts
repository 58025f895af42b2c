import { Actor } from '@app/integrations';
import { replayBodyFor } from './idempotent-replay';

const session: Actor = { kind: 'session', organizationId: 'org', environmentId: 'env', userId: 'user' };
const apiKey: Actor = { kind: 'api-key', organizationId: 'org', environmentId: 'env' };

const integration = {
  _id: 'i1',
  providerId: 'sendgrid',
  credentials: { apiKey: 'SG.secret', from: 'a@b.co' },
  configurations: { inboundWebhookEnabled: true, inboundWebhookSigningKey: 'whsec-1' },
};

describe('replayBodyFor (the stored body, as the receiving caller may see it)', () => {
  it('replays the stored bytes unchanged to a session caller', () => {
    const body = JSON.stringify({ data: integration });
    expect(replayBodyFor(session, body)).toBe(body);
  });

  it('redacts the integration of a {data: object} body for an API-key caller', () => {
    const replayed = replayBodyFor(apiKey, JSON.stringify({ data: integration }));
    expect(JSON.parse(replayed)).toEqual({
      data: { _id: 'i1', providerId: 'sendgrid', credentials: {}, configurations: { inboundWebhookEnabled: true } },
    });
    expect(replayed).not.toMatch(/SG\.secret|whsec-1|a@b\.co/);
  });

  it('redacts every integration of a {data: array} body', () => {
    const replayed = replayBodyFor(apiKey, JSON.stringify({ data: [integration, { ...integration, _id: 'i2' }] }));
    expect(JSON.parse(replayed).data.map((i: { credentials: unknown }) => i.credentials)).toEqual([{}, {}]);
    expect(replayed).not.toMatch(/SG\.secret|whsec-1/);
  });

  it('redacts for a request without a resolved caller (fails closed)', () => {
    expect(JSON.parse(replayBodyFor(undefined, JSON.stringify({ data: integration }))).data.credentials).toEqual({});
  });

  it('leaves error bodies (no data) as they are', () => {
    const body = JSON.stringify({ statusCode: 409, message: 'Integration with identifier already exists' });
    expect(replayBodyFor(apiKey, body)).toBe(body);
  });
});
