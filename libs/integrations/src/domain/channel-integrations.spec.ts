import { buildIntegration } from '../../../../test/factories/integration.factory';
import { DEV, DEV_SCOPE } from '../../../../test/factories/scopes';
import { refusalOf } from '../../../../test/support/integration-errors';
import { ChannelIntegrations, ChannelMember } from './channel-integrations';
import { IntegrationState } from './integration';

const scope = DEV_SCOPE;
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
const member = (id: string, priority: number, primary = false, createdSecond = 0): ChannelMember => ({
  id,
  priority,
  primary,
  createdAt: at(createdSecond),
});
const channelOf = (members: ChannelMember[], demoProvidersPresent: string[] = [], channel: 'email' | 'in_app' = 'email') =>
  ChannelIntegrations.restore({ scope, channel, members, demoProvidersPresent });
/** An integration of the channel, as loaded (active ones mirror their member entry). */
const stored = (overrides: Partial<IntegrationState> = {}) => buildIntegration({ ...scope, ...overrides });
const newcomer = (overrides: Partial<IntegrationState> = {}) => stored({ active: true, createdAt: at(50), ...overrides });
const places = (channel: ChannelIntegrations) => channel.ordering.map(({ id, primary, priority }) => ({ id, primary, priority }));

describe('ChannelIntegrations.admit: placing a new integration (docs/contract.md §3)', () => {
  it('case 1: nobody active → primary with priority 1', () => {
    const channel = channelOf([]);
    const created = newcomer();
    channel.admit(created);
    expect(created).toMatchObject({ primary: true, priority: 1 });
    expect(channel.pendingWrites()).toEqual([{ kind: 'insert', integration: created }]);
  });

  it('case 2: under a primary holder it takes its priority and the primary moves up by one', () => {
    const channel = channelOf([member('a', 3, true), member('b', 2), member('c', 1)]);
    const created = newcomer();
    channel.admit(created);
    expect(created).toMatchObject({ primary: false, priority: 3 });
    expect(places(channel)).toEqual([
      { id: 'a', primary: true, priority: 4 },
      { id: created.id, primary: false, priority: 3 },
      { id: 'b', primary: false, priority: 2 },
      { id: 'c', primary: false, priority: 1 },
    ]);
    // Only the holder moves; the insert comes last.
    expect(channel.pendingWrites()).toEqual([
      { kind: 'rerank', id: 'a', primary: true, priority: 4 },
      { kind: 'insert', integration: created },
    ]);
  });

  it('case 3: above a non-primary holder it becomes primary', () => {
    const channel = channelOf([member('a', 2), member('b', 1)]);
    const created = newcomer();
    channel.admit(created);
    expect(created).toMatchObject({ primary: true, priority: 3 });
    expect(channel.pendingWrites()).toEqual([{ kind: 'insert', integration: created }]);
  });

  it('case 4: an inactive integration stays primary false, priority 0 and out of the ordering', () => {
    const channel = channelOf([member('a', 1, true)]);
    const created = newcomer({ active: false });
    channel.admit(created);
    expect(created).toMatchObject({ primary: false, priority: 0 });
    expect(places(channel)).toEqual([{ id: 'a', primary: true, priority: 1 }]);
  });

  it('case 5: channels without primary (and agents) stay primary false, priority 0', () => {
    const chat = ChannelIntegrations.restore({ scope, channel: 'chat', members: [] });
    const discord = newcomer({ providerId: 'discord', channel: 'chat' });
    chat.admit(discord);
    expect(discord).toMatchObject({ primary: false, priority: 0 });
    const agents = ChannelIntegrations.restore({ scope, channel: undefined, members: [] });
    const agent = newcomer({ providerId: 'slack', kind: 'agent', channel: undefined });
    agents.admit(agent);
    expect(agent).toMatchObject({ primary: false, priority: 0 });
  });

  it('breaks priority ties like the stored order: primary first, then the oldest', () => {
    const channel = channelOf([member('young', 2, false, 9), member('old', 2, false, 1)]);
    expect(channel.ordering.map((m) => m.id)).toEqual(['old', 'young']);
    const withPrimary = channelOf([member('old', 2, false, 1), member('p', 2, true, 9)]);
    expect(withPrimary.ordering.map((m) => m.id)).toEqual(['p', 'old']);
  });

  it('refuses an integration of another environment or channel', () => {
    expect(() => channelOf([]).admit(newcomer({ environmentId: 'other' }))).toThrow(`is not of ${DEV}/email`);
    expect(() => channelOf([]).admit(newcomer({ providerId: 'twilio', channel: 'sms' }))).toThrow(`is not of ${DEV}/email`);
  });
});

describe('ChannelIntegrations: Novu demo providers', () => {
  it('allows one novu in-app integration per environment (400 NOVU_IN_APP_EXISTS)', () => {
    const novu = () => newcomer({ providerId: 'novu', channel: 'in_app', active: false });
    expect(() => channelOf([], [], 'in_app').admit(novu())).not.toThrow();
    const error = refusalOf(() => channelOf([], ['novu'], 'in_app').admit(novu()));
    expect(error).toMatchObject({ code: 'NOVU_IN_APP_EXISTS', message: 'One environment can only have one In app provider' });
  });

  it('allows one novu-email / novu-sms per environment (409 NOVU_PROVIDER_EXISTS)', () => {
    const error = refusalOf(() => channelOf([], ['novu-email']).admit(newcomer({ providerId: 'novu-email', active: false })));
    expect(error).toMatchObject({
      code: 'NOVU_PROVIDER_EXISTS',
      message: 'Integration with novu provider for email channel already exists',
    });
    // Another demo provider present does not matter.
    expect(() => channelOf([], ['novu']).admit(newcomer({ providerId: 'novu-email', active: false }))).not.toThrow();
  });

  it('needs the channel aggregate for active email/sms and demo providers only', () => {
    expect(ChannelIntegrations.governsCreationOf(newcomer())).toBe(true);
    expect(ChannelIntegrations.governsCreationOf(newcomer({ active: false }))).toBe(false);
    expect(ChannelIntegrations.governsCreationOf(newcomer({ providerId: 'discord', channel: 'chat' }))).toBe(false);
    expect(ChannelIntegrations.governsCreationOf(newcomer({ providerId: 'novu', channel: 'in_app', active: false }))).toBe(true);
    expect(ChannelIntegrations.governsCreationOf(newcomer({ providerId: 'novu-sms', channel: 'sms', active: false }))).toBe(true);
  });
});

describe('ChannelIntegrations.update (docs/contract.md §4 PUT)', () => {
  it('places an activated integration like a new active one, then renumbers n…1', () => {
    const channel = channelOf([member('a', 7, true), member('b', 2)]);
    const target = stored({ credentials: { apiKey: 'k', from: 'a@b.co', senderName: 'A' } });
    channel.update(target, { active: true });
    expect(target).toMatchObject({ active: true, primary: false });
    expect(places(channel)).toEqual([
      { id: 'a', primary: true, priority: 3 },
      { id: target.id, primary: false, priority: 2 },
      { id: 'b', primary: false, priority: 1 },
    ]);
    expect(channel.pendingWrites()).toEqual([
      { kind: 'update', integration: target },
      { kind: 'rerank', id: 'a', primary: true, priority: 3 },
      { kind: 'rerank', id: 'b', primary: false, priority: 1 },
    ]);
  });

  it('deactivating the primary clears its flag, takes it out and renumbers the rest', () => {
    const target = stored({ active: true, primary: true, priority: 3, createdAt: at(1) });
    const channel = channelOf([member(target.id, 3, true, 1), member('c', 2), member('b', 1)]);
    channel.update(target, { active: false });
    expect(target).toMatchObject({ active: false, primary: false, priority: 0 });
    expect(places(channel)).toEqual([
      { id: 'c', primary: false, priority: 2 },
      { id: 'b', primary: false, priority: 1 },
    ]);
    // The flag is cleared first; nothing else moves.
    expect(channel.pendingWrites()).toEqual([{ kind: 'update', integration: target }]);
  });

  it('non-empty conditions clear the primary flag; empty ones do not', () => {
    const target = stored({ active: true, primary: true, priority: 1 });
    const channel = channelOf([member(target.id, 1, true)]);
    channel.update(target, { conditions: [] });
    expect(target.primary).toBe(true);
    channel.update(target, { conditions: [{ isNegated: false, value: 'AND', children: [] }] });
    expect(target).toMatchObject({ active: true, primary: false, priority: 1 });
    expect(channel.pendingWrites()).toEqual([{ kind: 'update', integration: target }]);
  });

  it('replaces credentials, configurations and conditions and renames, touching updatedAt', () => {
    const target = stored({ credentials: { apiKey: 'old', region: 'eu' }, updatedAt: at(0) });
    const channel = channelOf([]);
    channel.update(target, { name: 'N', identifier: 'n-1', credentials: { apiKey: 'new' }, configurations: { inboxCount: 'none' } }, at(5));
    expect(target).toMatchObject({
      name: 'N',
      identifier: 'n-1',
      credentials: { apiKey: 'new' },
      configurations: { inboxCount: 'none' },
      updatedAt: at(5),
    });
  });

  it('refuses to activate without the required credentials, naming each and echoing none', () => {
    const target = stored({ credentials: { apiKey: 'SG.secret', from: '  ' } });
    const error = refusalOf(() => channelOf([]).update(target, { active: true }));
    expect(error.code).toBe('INVALID_INTEGRATION');
    expect(error.fields).toEqual({
      'credentials.from': { messages: ['credentials.from is required by sendgrid when the integration is active'] },
      'credentials.senderName': { messages: ['credentials.senderName is required by sendgrid when the integration is active'] },
    });
    expect(JSON.stringify(error.fields)).not.toContain('SG.secret');
  });

  it('judges an already active integration again on any change', () => {
    const target = stored({ active: true, primary: true, priority: 1, credentials: { from: 'a@b.co', senderName: 'A' } });
    const error = refusalOf(() => channelOf([member(target.id, 1, true)]).update(target, { name: 'x' }));
    expect(Object.keys(error.fields ?? {})).toEqual(['credentials.apiKey']);
  });

  it('leaves primary and priority of other channels alone', () => {
    const target = stored({ providerId: 'discord', channel: 'chat', credentials: {} });
    const chat = ChannelIntegrations.restore({ scope, channel: 'chat', members: [] });
    chat.update(target, { active: true });
    expect(target).toMatchObject({ active: true, primary: false, priority: 0 });
  });
});

describe('ChannelIntegrations.setPrimary (docs/contract.md §4)', () => {
  it('makes it active, primary, without conditions, on top; the previous primary loses the flag; n…1', () => {
    const target = stored({ conditions: [{ isNegated: false, value: 'OR', children: [] }] });
    const channel = channelOf([member('a', 5, true), member('b', 1)]);
    expect(channel.setPrimary(target)).toBe(true);
    expect(target).toMatchObject({ active: true, primary: true, priority: 3, conditions: [] });
    expect(places(channel)).toEqual([
      { id: target.id, primary: true, priority: 3 },
      { id: 'a', primary: false, priority: 2 },
      { id: 'b', primary: false, priority: 1 },
    ]);
    // The demotion is written before the new primary.
    expect(channel.pendingWrites()).toEqual([
      { kind: 'rerank', id: 'a', primary: false, priority: 2 },
      { kind: 'update', integration: target },
    ]);
  });

  it('leaves an existing primary unchanged and writes nothing', () => {
    const target = stored({ active: true, primary: true, priority: 1, credentials: {} });
    const before = target.toState();
    const channel = channelOf([member(target.id, 1, true)]);
    expect(channel.setPrimary(target)).toBe(false);
    expect(target.toState()).toEqual(before);
    expect(channel.pendingWrites()).toEqual([]);
  });

  it('refuses channels without primary', () => {
    const chat = ChannelIntegrations.restore({ scope, channel: 'chat', members: [] });
    const error = refusalOf(() => chat.setPrimary(stored({ providerId: 'discord', channel: 'chat' })));
    expect(error).toMatchObject({ code: 'PRIMARY_NOT_SUPPORTED', message: 'Channel chat does not support primary' });
  });

  it('refuses one that lacks required credentials, changing nothing', () => {
    const target = stored({ credentials: { from: 'a@b.co' } });
    const channel = channelOf([member('a', 1, true)]);
    const error = refusalOf(() => channel.setPrimary(target));
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['credentials.apiKey', 'credentials.senderName']);
    expect(target).toMatchObject({ active: false, primary: false, priority: 0 });
    expect(places(channel)).toEqual([{ id: 'a', primary: true, priority: 1 }]);
  });
});

describe('ChannelIntegrations.remove (docs/contract.md §4 DELETE)', () => {
  it('soft-deletes, clears primary and renumbers the rest (nobody becomes primary)', () => {
    const target = stored({ active: true, primary: true, priority: 3 });
    const channel = channelOf([member(target.id, 3, true), member('b', 2), member('c', 1)]);
    channel.remove(target, 'user-1', at(9));
    expect(target).toMatchObject({ deleted: true, deletedAt: at(9), deletedBy: 'user-1', primary: false, updatedAt: at(9) });
    expect(places(channel)).toEqual([
      { id: 'b', primary: false, priority: 2 },
      { id: 'c', primary: false, priority: 1 },
    ]);
    expect(channel.pendingWrites()).toEqual([{ kind: 'delete', integration: target }]);
  });

  it('compacts gaps: 7, 2, 1 → 3, 2, 1, writing only what changes', () => {
    const target = stored({ active: true, priority: 4 });
    const channel = channelOf([member('a', 7, true), member(target.id, 4), member('b', 2), member('c', 1)]);
    channel.remove(target, undefined);
    expect(target).not.toHaveProperty('deletedBy');
    expect(channel.pendingWrites()).toEqual([
      { kind: 'delete', integration: target },
      { kind: 'rerank', id: 'a', primary: true, priority: 3 },
    ]);
  });

  it('changes nothing in an ordering that is already compact', () => {
    const target = stored({ active: false });
    const channel = channelOf([member('a', 1)]);
    channel.remove(target, undefined);
    expect(channel.pendingWrites()).toEqual([{ kind: 'delete', integration: target }]);
  });
});
