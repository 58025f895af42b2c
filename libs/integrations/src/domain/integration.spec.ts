import { buildIntegration, NEW_SENDGRID_IN_DEV } from '../../../../test/factories/integration.factory';
import { DEV_SCOPE } from '../../../../test/factories/scopes';
import { refusalOf } from '../../../../test/support/integration-errors';
import { Integration } from './integration';
import { IntegrationError } from './integration.errors';
import { NovuDemoProviders } from './novu-demo-providers';

const scope = DEV_SCOPE;
const none = new NovuDemoProviders();

describe('Integration.create (docs/contract.md §3)', () => {
  it('fills name, identifier, channel from the catalog, kind and the flags', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    const created = Integration.create({ scope, providerId: 'sendgrid' }, none, now);
    expect(created).toMatchObject({
      ...NEW_SENDGRID_IN_DEV,
      createdAt: now,
      updatedAt: now,
    });
    expect(created.identifier).toMatch(/^send-grid-[A-Za-z0-9_-]{7}$/);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    for (const absent of ['deletedAt', 'deletedBy']) expect(Object.prototype.hasOwnProperty.call(created, absent)).toBe(false);
  });

  it('gives agents no channel (not even an undefined-valued one)', () => {
    const agent = Integration.create({ scope, providerId: 'slack', kind: 'agent' }, none);
    expect(Object.prototype.hasOwnProperty.call(agent, 'channel')).toBe(false);
    expect(agent.supportsPrimary).toBe(false);
  });

  it('refuses an unknown provider and a channel that is not the provider’s', () => {
    expect(refusalOf(() => Integration.create({ scope, providerId: 'nope' }, none)).fields).toEqual({
      providerId: { messages: ['providerId must be a known delivery provider; it is not in the catalog'], value: 'nope' },
    });
    expect(refusalOf(() => Integration.create({ scope, providerId: 'sendgrid', kind: 'agent' }, none)).fields).toHaveProperty('providerId');
    expect(refusalOf(() => Integration.create({ scope, providerId: 'sendgrid', channel: 'sms' }, none)).fields).toEqual({
      channel: { messages: ['channel must be "email" for provider sendgrid'], value: 'sms' },
    });
  });

  it('demands the required credentials of an active one only', () => {
    const error = refusalOf(() => Integration.create({ scope, providerId: 'sendgrid', active: true, credentials: { apiKey: 'k' } }, none));
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['credentials.from', 'credentials.senderName']);
    expect(() => Integration.create({ scope, providerId: 'sendgrid', credentials: { apiKey: 'k' } }, none)).not.toThrow();
  });

  it('allows novu-email / novu-sms only when the server has their credentials (400 NOVU_PROVIDER_NOT_ALLOWED)', () => {
    expect(refusalOf(() => Integration.create({ scope, providerId: 'novu-sms' }, new NovuDemoProviders({ email: true })))).toMatchObject({
      code: 'NOVU_PROVIDER_NOT_ALLOWED',
      message: 'Creating Novu integration for novu-sms provider is not allowed',
    });
    expect(() => Integration.create({ scope, providerId: 'novu-sms' }, new NovuDemoProviders({ sms: true }))).not.toThrow();
    expect(() => Integration.create({ scope, providerId: 'novu' }, none)).not.toThrow();
  });

  it('copies what it is given, so the caller’s objects stay untouched', () => {
    const credentials = { apiKey: 'k' };
    const created = Integration.create({ scope, providerId: 'sendgrid', credentials }, none);
    created.replaceCredentials({ apiKey: 'other' });
    expect(credentials).toEqual({ apiKey: 'k' });
  });
});

describe('Integration intent methods', () => {
  it('deactivate only deactivates (the channel aggregate owns primary and priority)', () => {
    const email = buildIntegration({ active: true, primary: true, priority: 2 });
    email.deactivate();
    expect(email).toMatchObject({ active: false, primary: true, priority: 2 });
  });

  it('activate refuses without the required credentials and stays inactive', () => {
    const bare = buildIntegration({ credentials: {} });
    expect(() => bare.activate()).toThrow(IntegrationError);
    expect(bare.active).toBe(false);
  });

  it('markDeleted records who and when', () => {
    const integration = buildIntegration({ active: true, primary: false, priority: 1 });
    const at = new Date('2026-05-06T07:08:09.000Z');
    integration.markDeleted('user-1', at);
    expect(integration).toMatchObject({ deleted: true, deletedAt: at, deletedBy: 'user-1', active: true, updatedAt: at });
  });

  it('toState is a plain copy that restore turns back into an equal integration', () => {
    const integration = buildIntegration({ conditions: [{ isNegated: false, value: 'AND', children: [] }] });
    const state = integration.toState();
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
    expect(Integration.restore(state)).toEqual(integration);
    state.conditions.push({ isNegated: true, value: 'OR', children: [] });
    expect(integration.conditions).toHaveLength(1);
  });
});
