import { DEV, ORG, PROD } from '../../../../../test/factories/scopes';
import { DEV_API_KEY, useCaseWorld } from '../../../../../test/fakes/use-case-world';
import { rejectionOf } from '../../../../../test/support/integration-errors';
import { IntegrationError } from '../../domain/integration.errors';
import { Actor } from '../actor';

const prodKey: Actor = { kind: 'api-key', organizationId: ORG, environmentId: PROD };
const session: Actor = { kind: 'session', organizationId: ORG, environmentId: DEV, userId: 'user-1' };
const sendgrid = { apiKey: 'SG.x', from: 'a@b.co', senderName: 'Acme' };

function setup() {
  const world = useCaseWorld();
  return {
    ...world,
    createActive: () => world.create({ active: true, credentials: sendgrid }),
    state: (id: string) => {
      const row = world.repository.rows.get(id)!;
      return { active: row.active, primary: row.primary, priority: row.priority };
    },
  };
}

const codeOf = async (promise: Promise<unknown>): Promise<string> => (await rejectionOf(promise)).code;

describe('UpdateIntegration', () => {
  it('refuses an update without properties', async () => {
    const { create, update } = setup();
    const { id } = await create();
    expect(await codeOf(update.execute({ actor: DEV_API_KEY, integrationId: id }))).toBe('NO_PROPERTIES_TO_UPDATE');
  });

  it('answers INTEGRATION_NOT_FOUND for unknown ids and ENVIRONMENT_FORBIDDEN across environments', async () => {
    const { create, update } = setup();
    const { id } = await create();
    expect(await codeOf(update.execute({ actor: DEV_API_KEY, integrationId: 'missing', name: 'x' }))).toBe('INTEGRATION_NOT_FOUND');
    expect(await codeOf(update.execute({ actor: prodKey, integrationId: id, name: 'x' }))).toBe('ENVIRONMENT_FORBIDDEN');
  });

  it('replaces credentials and renames', async () => {
    const { create, update } = setup();
    const { id } = await create({ credentials: { apiKey: 'old', region: 'eu' } });
    const { integration: updated } = await update.execute({
      actor: session,
      integrationId: id,
      name: 'Renamed',
      credentials: { apiKey: 'new' },
    });
    expect(updated).toMatchObject({ name: 'Renamed', credentials: { apiKey: 'new' } });
  });

  it('refuses an identifier taken by another integration', async () => {
    const { create, update } = setup();
    await create({ identifier: 'taken' });
    const { id } = await create();
    expect(await codeOf(update.execute({ actor: DEV_API_KEY, integrationId: id, identifier: 'taken' }))).toBe('IDENTIFIER_TAKEN');
  });

  it('requires the provider credentials when activating', async () => {
    const { create, update } = setup();
    const { id } = await create();
    expect(await codeOf(update.execute({ actor: DEV_API_KEY, integrationId: id, active: true }))).toBe('INVALID_INTEGRATION');
  });

  it('places an activated integration like a new active one', async () => {
    const { create, createActive, update, state } = setup();
    const first = await createActive();
    const { id } = await create({ credentials: sendgrid });
    await update.execute({ actor: DEV_API_KEY, integrationId: id, active: true });
    expect(state(id)).toEqual({ active: true, primary: false, priority: 1 });
    expect(state(first.id)).toEqual({ active: true, primary: true, priority: 2 });
  });

  it('clears primary and renumbers when the primary is deactivated', async () => {
    const { createActive, update, state } = setup();
    const a = await createActive();
    const b = await createActive();
    const c = await createActive();
    // a is primary on top: a=3, c=2, b=1
    await update.execute({ actor: DEV_API_KEY, integrationId: a.id, active: false });
    expect(state(a.id)).toEqual({ active: false, primary: false, priority: 0 });
    expect([state(c.id), state(b.id)]).toEqual([
      { active: true, primary: false, priority: 2 },
      { active: true, primary: false, priority: 1 },
    ]);
  });

  it('clears the primary flag when a primary gets conditions', async () => {
    const { createActive, update, state } = setup();
    const a = await createActive();
    await update.execute({
      actor: DEV_API_KEY,
      integrationId: a.id,
      conditions: [{ isNegated: false, value: 'AND', children: [{ field: 'tier', value: 'pro', operator: 'EQUAL', on: 'subscriber' }] }],
    });
    expect(state(a.id)).toEqual({ active: true, primary: false, priority: 1 });
  });

  it('checks the stored credentials when only check: true is sent, and the new ones when given', async () => {
    const { create, update, verifier } = setup();
    const { id } = await create({ credentials: { apiKey: 'SG.stored' } });
    await update.execute({ actor: DEV_API_KEY, integrationId: id, check: true });
    expect(verifier.verified.map((v) => v.credentials.apiKey)).toEqual(['SG.stored']);
    expect(await codeOf(update.execute({ actor: DEV_API_KEY, integrationId: id, check: true, credentials: { apiKey: 'SG.bad' } }))).toBe(
      'CREDENTIALS_CHECK_FAILED',
    );
  });

  it('reports what the check did, and nothing without check: true', async () => {
    const { create, update } = setup();
    const { id } = await create({ credentials: { apiKey: 'SG.stored' } });
    expect((await update.execute({ actor: DEV_API_KEY, integrationId: id, check: true })).credentialsCheck).toBe('verified');
    expect(await update.execute({ actor: DEV_API_KEY, integrationId: id, name: 'n' })).not.toHaveProperty('credentialsCheck');
    const { id: smsId } = await create({ providerId: 'twilio' });
    expect((await update.execute({ actor: DEV_API_KEY, integrationId: smsId, check: true })).credentialsCheck).toBe('unsupported');
  });

  it('refuses moving an integration to another environment', async () => {
    const { create, update } = setup();
    const { id } = await create();
    expect(await codeOf(update.execute({ actor: session, integrationId: id, environmentId: PROD }))).toBe('INVALID_INTEGRATION');
  });
});

describe('SetIntegrationAsPrimary', () => {
  it('moves the primary flag, activates, clears conditions and takes the top priority', async () => {
    const { create, createActive, setPrimary, state, repository } = setup();
    const a = await createActive();
    const b = await create({
      credentials: sendgrid,
      conditions: [{ isNegated: false, value: 'OR', children: [] }],
    });
    const result = await setPrimary.execute({ actor: DEV_API_KEY, integrationId: b.id });
    expect(result).toMatchObject({ active: true, primary: true, priority: 2, conditions: [] });
    expect(state(a.id)).toEqual({ active: true, primary: false, priority: 1 });
    expect([...repository.rows.values()].filter((i) => i.primary)).toHaveLength(1);
  });

  it('leaves an existing primary unchanged', async () => {
    const { createActive, setPrimary } = setup();
    const a = await createActive();
    expect(await setPrimary.execute({ actor: DEV_API_KEY, integrationId: a.id })).toMatchObject({ id: a.id, primary: true, priority: 1 });
  });

  it('refuses channels without primary', async () => {
    const { create, setPrimary } = setup();
    const chat = await create({ providerId: 'discord' });
    const error = await setPrimary.execute({ actor: DEV_API_KEY, integrationId: chat.id }).catch((e: IntegrationError) => e);
    expect(error).toMatchObject({ code: 'PRIMARY_NOT_SUPPORTED', message: 'Channel chat does not support primary' });
  });
});

describe('DeleteIntegration', () => {
  it('soft-deletes, frees the identifier, renumbers and returns what remains of the environment', async () => {
    const { create, createActive, remove, state, repository } = setup();
    const a = await createActive();
    const b = await createActive();
    await create({ actor: session, environmentId: PROD });
    const remaining = await remove.execute({ actor: session, integrationId: a.id });
    expect(remaining.map((i) => i.id)).toEqual([b.id]);
    expect(repository.rows.get(a.id)).toMatchObject({ deleted: true, deletedBy: 'user-1', primary: false });
    expect(state(b.id)).toEqual({ active: true, primary: false, priority: 1 });
    await expect(create({ identifier: a.identifier })).resolves.toBeDefined();
  });

  it('answers INTEGRATION_NOT_FOUND for an already deleted integration', async () => {
    const { create, remove } = setup();
    const { id } = await create();
    await remove.execute({ actor: DEV_API_KEY, integrationId: id });
    expect(await codeOf(remove.execute({ actor: DEV_API_KEY, integrationId: id }))).toBe('INTEGRATION_NOT_FOUND');
  });
});

describe('ListIntegrations', () => {
  it('scopes API keys to their environment and sessions to the organization', async () => {
    const { create, list } = setup();
    await create({ active: true, credentials: sendgrid });
    await create();
    await create({ actor: session, environmentId: PROD });
    expect(await list.execute({ actor: DEV_API_KEY })).toHaveLength(2);
    expect(await list.execute({ actor: DEV_API_KEY, activeOnly: true })).toHaveLength(1);
    expect(await list.execute({ actor: session })).toHaveLength(3);
    expect(await list.execute({ actor: prodKey })).toHaveLength(1);
  });
});
