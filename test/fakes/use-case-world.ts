import { Actor } from '../../libs/integrations/src/application/actor';
import { CreateIntegrationCommand } from '../../libs/integrations/src/application/create-integration/create-integration.command';
import { CreateIntegration } from '../../libs/integrations/src/application/create-integration/create-integration.use-case';
import { DeleteIntegration } from '../../libs/integrations/src/application/delete-integration/delete-integration.use-case';
import { ListIntegrations } from '../../libs/integrations/src/application/list-integrations/list-integrations.use-case';
import { SetIntegrationAsPrimary } from '../../libs/integrations/src/application/set-integration-as-primary/set-integration-as-primary.use-case';
import { UpdateIntegration } from '../../libs/integrations/src/application/update-integration/update-integration.use-case';
import { NovuDemoProviders } from '../../libs/integrations/src/domain/novu-demo-providers';
import { DEV, ORG, OTHER_ORG_ENV, PROD } from '../factories/scopes';
import {
  InMemoryEnvironmentDirectory,
  InMemoryIntegrationRepository,
  PassThroughUnitOfWork,
  ScriptedCredentialsVerifier,
  ScriptedOutboundUrlPolicy,
} from './in-memory-integration.repository';

/** An API key of the development environment: the default caller of `world.create`. */
export const DEV_API_KEY: Actor = { kind: 'api-key', organizationId: ORG, environmentId: DEV };

/**
 * The use cases over fresh in-memory fakes: environments DEV and PROD of ORG plus OTHER_ORG_ENV
 * of another organization; a verifier that supports SendGrid and rejects the API key `SG.bad`;
 * an outbound URL policy that refuses `push-webhook`'s `credentials.webhookUrl`.
 */
export function useCaseWorld(novu: { email?: boolean; sms?: boolean } = {}) {
  const repository = new InMemoryIntegrationRepository();
  const environments = new InMemoryEnvironmentDirectory([
    { id: DEV, organizationId: ORG },
    { id: PROD, organizationId: ORG },
    { id: OTHER_ORG_ENV, organizationId: 'org-2' },
  ]);
  const unitOfWork = new PassThroughUnitOfWork();
  const outboundUrls = new ScriptedOutboundUrlPolicy({
    'push-webhook': { 'credentials.webhookUrl': { messages: ['credentials.webhookUrl must not point at a private address'] } },
  });
  const verifier = new ScriptedCredentialsVerifier(['sendgrid'], ['SG.bad']);
  const createIntegration = new CreateIntegration(
    repository,
    environments,
    unitOfWork,
    outboundUrls,
    verifier,
    new NovuDemoProviders(novu),
  );
  /** Runs CreateIntegration for a SendGrid integration, as DEV_API_KEY unless the overrides say otherwise. */
  const execute = (overrides: Partial<CreateIntegrationCommand> = {}) =>
    createIntegration.execute({ actor: DEV_API_KEY, providerId: 'sendgrid', ...overrides });
  const create = async (overrides: Partial<CreateIntegrationCommand> = {}) => (await execute(overrides)).integration;
  return {
    repository,
    environments,
    unitOfWork,
    outboundUrls,
    verifier,
    execute,
    create,
    update: new UpdateIntegration(repository, environments, unitOfWork, outboundUrls, verifier),
    setPrimary: new SetIntegrationAsPrimary(repository, unitOfWork),
    remove: new DeleteIntegration(repository, unitOfWork),
    list: new ListIntegrations(repository),
  };
}
