import { randomUUID } from 'node:crypto';
import { buildIntegration } from '../../../../../test/factories/integration.factory';
import { InMemoryIntegrationRepository, StoredIntegration } from '../../../../../test/fakes/in-memory-integration.repository';
import { StepFilter } from '../../domain/conditions';
import { IntegrationState } from '../../domain/integration';
import { SelectionCache } from '../selection-cache/selection-cache';
import { SelectIntegration } from './select-integration.use-case';
import { SelectIntegrationCommand } from './select-integration.command';

const organizationId = randomUUID();
const environmentId = randomUUID();
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const planIs = (plan: string): StepFilter[] => [
  { isNegated: false, value: 'AND', children: [{ field: 'data.plan', operator: 'EQUAL', value: plan, on: 'tenant' }] },
];

function setup() {
  const repository = new InMemoryIntegrationRepository();
  const cache = new SelectionCache({ ttlMs: 60_000, maxEntries: 100 });
  cache.reset(); // the change feed is "connected"
  const useCase = new SelectIntegration(repository, cache);
  const add = (name: string, overrides: Partial<IntegrationState> = {}) => {
    const integration = buildIntegration({ organizationId, environmentId, identifier: name, name, active: true, ...overrides });
    repository.rows.set(integration.id, integration.toState() as StoredIntegration);
    return integration;
  };
  const select = async (command: Partial<SelectIntegrationCommand> = {}) => {
    const selection = await useCase.execute({ organizationId, environmentId, channel: 'email', ...command });
    return {
      chosen: selection.integration?.identifier,
      fallbacks: selection.fallbacks.map((i) => i.identifier),
      reasons: Object.fromEntries(selection.candidates.map((c) => [c.identifier, c.reason])),
      selection,
    };
  };
  return { repository, cache, add, select };
}

describe('SelectIntegration', () => {
  describe('email/sms without tenant: the primary', () => {
    it('chooses the primary; the others, without conditions, in priority order are the fallbacks', async () => {
      const { add, select } = setup();
      add('low', { priority: 1 });
      add('primary', { primary: true, priority: 3 });
      add('mid', { priority: 2 });
      const { chosen, fallbacks, reasons, selection } = await select();
      expect(chosen).toBe('primary');
      expect(fallbacks).toEqual(['mid', 'low']);
      expect(reasons).toEqual({
        primary: 'selected: the primary of the channel',
        mid: 'fallback 1 (not primary)',
        low: 'fallback 2 (not primary)',
      });
      expect(selection.integration!.credentials).toEqual({
        apiKey: 'SG.factory-secret-api-key',
        from: 'ops@example.com',
        senderName: 'Acme',
      });
    });

    it('no primary → none', async () => {
      const { add, select } = setup();
      add('a', { priority: 1 });
      const { chosen, fallbacks, reasons } = await select();
      expect(chosen).toBeUndefined();
      expect(fallbacks).toEqual([]);
      expect(reasons).toEqual({ a: 'not primary' });
    });

    it('conditional integrations cannot pass without a tenant and say so', async () => {
      const { add, select } = setup();
      add('primary', { primary: true, priority: 2 });
      add('pro', { priority: 1, conditions: planIs('pro') });
      const { fallbacks, reasons } = await select();
      expect(fallbacks).toEqual([]);
      expect(reasons.pro).toBe('condition on tenant.data.plan cannot be evaluated: no tenant given');
    });
  });

  describe('other channels without tenant: the newest active', () => {
    it('chooses the newest, then the older ones', async () => {
      const { add, select } = setup();
      add('old', { channel: 'chat', providerId: 'slack', createdAt: minutesAgo(30) });
      add('new', { channel: 'chat', providerId: 'slack', createdAt: minutesAgo(1) });
      add('mid', { channel: 'chat', providerId: 'slack', createdAt: minutesAgo(10) });
      add('email-one', { primary: true, priority: 1 });
      const { chosen, fallbacks, reasons } = await select({ channel: 'chat' });
      expect(chosen).toBe('new');
      expect(fallbacks).toEqual(['mid', 'old']);
      expect(Object.keys(reasons)).toEqual(['new', 'mid', 'old']);
    });
  });

  describe('with a tenant', () => {
    it('the first integration whose conditions pass (highest priority, then newest); unconditioned ones after', async () => {
      const { add, select } = setup();
      add('primary', { primary: true, priority: 4 });
      add('pro-high', { priority: 3, conditions: planIs('pro') });
      add('free', { priority: 2, conditions: planIs('free') });
      add('pro-low', { priority: 1, conditions: planIs('pro') });
      const { chosen, fallbacks, reasons } = await select({ tenant: { identifier: 'acme', data: { plan: 'pro' } } });
      expect(chosen).toBe('pro-high');
      expect(fallbacks).toEqual(['pro-low', 'primary']);
      expect(reasons.free).toBe('condition failed: tenant.data.plan EQUAL "free"');
      expect(reasons['pro-high']).toBe('selected: the first whose conditions pass (highest priority, then newest)');
    });

    it('same priority: the newest passing one first', async () => {
      const { add, select } = setup();
      add('older', { channel: 'push', providerId: 'fcm', conditions: planIs('pro'), createdAt: minutesAgo(5) });
      add('newer', { channel: 'push', providerId: 'fcm', conditions: planIs('pro'), createdAt: minutesAgo(1) });
      const { chosen, fallbacks } = await select({ channel: 'push', tenant: { identifier: 'acme', data: { plan: 'pro' } } });
      expect([chosen, ...fallbacks]).toEqual(['newer', 'older']);
    });

    it('no condition passes → the first integration without conditions', async () => {
      const { add, select } = setup();
      add('primary', { primary: true, priority: 2 });
      add('pro', { priority: 1, conditions: planIs('pro') });
      const { chosen, fallbacks, reasons } = await select({ tenant: { identifier: 'acme', data: { plan: 'free' } } });
      expect(chosen).toBe('primary');
      expect(fallbacks).toEqual([]);
      expect(reasons.primary).toBe(
        'selected: no conditional integration passed; the first without conditions (highest priority, then newest)',
      );
    });

    it('nothing passes and nothing is unconditioned → none', async () => {
      const { add, select } = setup();
      add('pro', { priority: 1, conditions: planIs('pro') });
      expect((await select({ tenant: { identifier: 'acme' } })).chosen).toBeUndefined();
    });
  });

  describe('with an identifier or integration id', () => {
    it('that active integration, conditions not evaluated; the others that could serve are fallbacks', async () => {
      const { add, select } = setup();
      add('primary', { primary: true, priority: 2 });
      add('pro', { priority: 1, conditions: planIs('pro') });
      const { chosen, fallbacks, reasons } = await select({ identifier: 'pro' });
      expect(chosen).toBe('pro');
      expect(fallbacks).toEqual(['primary']);
      expect(reasons.primary).toBe('fallback 1 (not the requested integration)');
    });

    it('by id, and with both they must name the same integration', async () => {
      const { add, select } = setup();
      const a = add('a', { primary: true, priority: 2 });
      const b = add('b', { priority: 1 });
      expect((await select({ integrationId: b.id })).chosen).toBe('b');
      expect((await select({ integrationId: b.id, identifier: 'b' })).chosen).toBe('b');
      expect((await select({ integrationId: a.id, identifier: 'b' })).chosen).toBeUndefined();
    });

    it('an inactive, deleted, other-channel or other-environment one → none', async () => {
      const { add, select } = setup();
      add('inactive', { active: false });
      add('deleted', { deleted: true, deletedAt: new Date() });
      add('sms', { channel: 'sms', providerId: 'twilio' });
      add('elsewhere', { environmentId: randomUUID() });
      for (const identifier of ['inactive', 'deleted', 'sms', 'elsewhere', 'unknown']) {
        expect((await select({ identifier })).chosen).toBeUndefined();
      }
    });
  });

  it('providerId narrows the candidates', async () => {
    const { add, select } = setup();
    add('sendgrid', { primary: true, priority: 2 });
    add('mailgun', { providerId: 'mailgun', priority: 1 });
    const { chosen, reasons } = await select({ providerId: 'mailgun', tenant: { identifier: 'acme' } });
    expect(chosen).toBe('mailgun');
    expect(reasons.sendgrid).toBe('provider is not "mailgun"');
  });

  it('inactive and deleted integrations are never chosen nor fallbacks, in any mode', async () => {
    const { add, select } = setup();
    add('inactive-primary', { active: false, primary: true, priority: 5 });
    add('deleted-primary', { deleted: true, primary: true, priority: 4 });
    add('inactive-cond', { active: false, priority: 3, conditions: planIs('pro') });
    add('live', { priority: 1 });
    for (const command of [
      {},
      { tenant: { identifier: 't', data: { plan: 'pro' } } },
      { identifier: 'inactive-primary' },
      { identifier: 'deleted-primary' },
    ]) {
      const { selection } = await select(command);
      const used = [selection.integration, ...selection.fallbacks].filter(Boolean).map((i) => i!.identifier);
      expect(used.filter((identifier) => identifier !== 'live')).toEqual([]);
    }
  });

  describe('the cache', () => {
    it('a warm selection reads nothing; a change notice makes the next one read again', async () => {
      const { repository, cache, add, select } = setup();
      add('primary', { primary: true, priority: 1 });
      await select();
      await select({ tenant: { identifier: 'x' } });
      expect(repository.reads).toHaveLength(1);
      add('second');
      expect((await select()).fallbacks).toEqual([]);
      cache.changed(environmentId, 'email');
      expect((await select()).fallbacks).toEqual(['second']);
      expect(repository.reads).toHaveLength(2);
    });

    it('is bypassed while the change feed is down', async () => {
      const { repository, cache, add, select } = setup();
      add('primary', { primary: true, priority: 1 });
      cache.down();
      await select();
      await select();
      expect(repository.reads).toHaveLength(2);
    });

    it('a fill that raced an invalidation is not stored', async () => {
      const { cache } = setup();
      const ticket = cache.ticket();
      cache.changed(environmentId, 'email');
      cache.store(organizationId, environmentId, 'email', ticket, [buildIntegration({ organizationId, environmentId })]);
      expect(cache.read(organizationId, environmentId, 'email')).toBeUndefined();
    });

    it('expires after its TTL, evicts the least recently used, never serves another organization', () => {
      let now = 0;
      const cache = new SelectionCache({ ttlMs: 1000, maxEntries: 2, now: () => now });
      cache.reset();
      const env = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
      for (const n of [1, 2]) cache.store(organizationId, env(n), 'email', cache.ticket(), []);
      expect(cache.read(organizationId, env(1), 'email')).toEqual([]);
      cache.store(organizationId, env(3), 'email', cache.ticket(), []);
      expect(cache.read(organizationId, env(2), 'email')).toBeUndefined();
      expect(cache.read(organizationId, env(1), 'email')).toEqual([]);
      expect(cache.read(randomUUID(), env(1), 'email')).toBeUndefined();
      now = 1000;
      expect(cache.read(organizationId, env(1), 'email')).toBeUndefined();
    });

    it('ttl 0 disables it', async () => {
      const repository = new InMemoryIntegrationRepository();
      const cache = new SelectionCache({ ttlMs: 0, maxEntries: 10 });
      cache.reset();
      const useCase = new SelectIntegration(repository, cache);
      await useCase.execute({ organizationId, environmentId, channel: 'sms' });
      await useCase.execute({ organizationId, environmentId, channel: 'sms' });
      expect(repository.reads).toHaveLength(2);
    });

    it('cached integrations are frozen', async () => {
      const { add, select } = setup();
      add('primary', { primary: true, priority: 1 });
      const { selection } = await select();
      expect(() => selection.integration!.rename('x')).toThrow(TypeError);
    });
  });
});
