import { DEV_API_KEY, useCaseWorld } from '../../../../../test/fakes/use-case-world';
import { rejectionOf } from '../../../../../test/support/integration-errors';

const sendgrid = { apiKey: 'SG.primary-secret', from: 'a@b.co', senderName: 'Acme' };

function setup() {
  const world = useCaseWorld();
  const snapshot = () => JSON.stringify([...world.repository.rows.values()].sort((a, b) => a.id.localeCompare(b.id)));
  return { ...world, snapshot };
}

describe('SetIntegrationAsPrimary: required credentials', () => {
  it('refuses to activate an inactive integration that lacks required credentials, changing nothing', async () => {
    const { create, setPrimary, snapshot } = setup();
    const active = await create({ active: true, credentials: sendgrid });
    const bare = await create({ credentials: { from: 'a@b.co' } });
    const before = snapshot();

    const error = await rejectionOf(setPrimary.execute({ actor: DEV_API_KEY, integrationId: bare.id }));
    expect(error.code).toBe('INVALID_INTEGRATION');
    expect(error.fields).toEqual({
      'credentials.apiKey': { messages: ['credentials.apiKey is required by sendgrid when the integration is active'] },
      'credentials.senderName': { messages: ['credentials.senderName is required by sendgrid when the integration is active'] },
    });
    expect(snapshot()).toBe(before);
    expect(active.primary).toBe(true);
  });

  it('counts blank values as missing and echoes no stored credential', async () => {
    const { create, setPrimary } = setup();
    const bare = await create({ credentials: { apiKey: '   ', from: 'a@b.co', senderName: 'Acme' } });
    const error = await rejectionOf(setPrimary.execute({ actor: DEV_API_KEY, integrationId: bare.id }));
    expect(error.fields).toEqual({
      'credentials.apiKey': { messages: ['credentials.apiKey is required by sendgrid when the integration is active'] },
    });
  });

  it('activates an inactive integration that carries its required credentials', async () => {
    const { create, setPrimary } = setup();
    const ready = await create({ credentials: sendgrid });
    expect(ready.active).toBe(false);
    await expect(setPrimary.execute({ actor: DEV_API_KEY, integrationId: ready.id })).resolves.toMatchObject({
      active: true,
      primary: true,
      priority: 1,
    });
  });

  it('judges an already active integration the same way, as update does', async () => {
    const { create, setPrimary, repository } = setup();
    const first = await create({ active: true, credentials: sendgrid });
    const second = await create({ active: true, credentials: sendgrid });
    // a row stored before a catalog change made a key required
    repository.rows.get(second.id)!.credentials = { from: 'a@b.co', senderName: 'Acme' };
    const error = await rejectionOf(setPrimary.execute({ actor: DEV_API_KEY, integrationId: second.id }));
    expect(Object.keys(error.fields ?? {})).toEqual(['credentials.apiKey']);
    expect(repository.rows.get(first.id)!.primary).toBe(true);
  });

  it('leaves the current primary alone without judging it again', async () => {
    const { create, setPrimary, repository } = setup();
    const first = await create({ active: true, credentials: sendgrid });
    repository.rows.get(first.id)!.credentials = {};
    await expect(setPrimary.execute({ actor: DEV_API_KEY, integrationId: first.id })).resolves.toMatchObject({ primary: true });
  });
});
