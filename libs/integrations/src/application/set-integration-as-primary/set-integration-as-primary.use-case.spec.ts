import {
  InMemoryEnvironmentDirectory,
  InMemoryIntegrationRepository,
  PassThroughUnitOfWork,
  ScriptedCredentialsVerifier,
  ScriptedOutboundUrlPolicy,
} from '../../../../../test/fakes/in-memory-integration.repository';
import { IntegrationError } from '../../domain/integration.errors';
import { NovuDemoProviders } from '../../domain/novu-demo-providers';
import { Actor } from '../actor';
import { CreateIntegration } from '../create-integration/create-integration.use-case';
import { CreateIntegrationCommand } from '../create-integration/create-integration.command';
import { SetIntegrationAsPrimary } from './set-integration-as-primary.use-case';

const ORG = 'org-1';
const DEV = 'env-dev';
const apiKey: Actor = { kind: 'api-key', organizationId: ORG, environmentId: DEV };
const sendgrid = { apiKey: 'SG.primary-secret', from: 'a@b.co', senderName: 'Acme' };

function setup() {
  const repository = new InMemoryIntegrationRepository();
  const environments = new InMemoryEnvironmentDirectory([{ id: DEV, organizationId: ORG }]);
  const unitOfWork = new PassThroughUnitOfWork();
  const createUseCase = new CreateIntegration(
    repository,
    environments,
    unitOfWork,
    new ScriptedOutboundUrlPolicy(),
    new ScriptedCredentialsVerifier(),
    new NovuDemoProviders(),
  );
  const create = async (overrides: Partial<CreateIntegrationCommand> = {}) =>
    (await createUseCase.execute({ actor: apiKey, providerId: 'sendgrid', ...overrides })).integration;
  const snapshot = () => JSON.stringify([...repository.rows.values()].sort((a, b) => a.id.localeCompare(b.id)));
  return { repository, create, snapshot, setPrimary: new SetIntegrationAsPrimary(repository, unitOfWork) };
}

async function refusal(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

describe('SetIntegrationAsPrimary: required credentials', () => {
  it('refuses to activate an inactive integration that lacks required credentials, changing nothing', async () => {
    const { create, setPrimary, snapshot } = setup();
    const active = await create({ active: true, credentials: sendgrid });
    const bare = await create({ credentials: { from: 'a@b.co' } });
    const before = snapshot();

    const error = await refusal(setPrimary.execute({ actor: apiKey, integrationId: bare.id }));
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
    const error = await refusal(setPrimary.execute({ actor: apiKey, integrationId: bare.id }));
    expect(error.fields).toEqual({
      'credentials.apiKey': { messages: ['credentials.apiKey is required by sendgrid when the integration is active'] },
    });
  });

  it('activates an inactive integration that carries its required credentials', async () => {
    const { create, setPrimary } = setup();
    const ready = await create({ credentials: sendgrid });
    expect(ready.active).toBe(false);
    await expect(setPrimary.execute({ actor: apiKey, integrationId: ready.id })).resolves.toMatchObject({
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
    const error = await refusal(setPrimary.execute({ actor: apiKey, integrationId: second.id }));
    expect(Object.keys(error.fields ?? {})).toEqual(['credentials.apiKey']);
    expect(repository.rows.get(first.id)!.primary).toBe(true);
  });

  it('leaves the current primary alone without judging it again', async () => {
    const { create, setPrimary, repository } = setup();
    const first = await create({ active: true, credentials: sendgrid });
    repository.rows.get(first.id)!.credentials = {};
    await expect(setPrimary.execute({ actor: apiKey, integrationId: first.id })).resolves.toMatchObject({ primary: true });
  });
});
