import { Actor, CreateIntegration, CreateIntegrationCommand } from '@app/integrations';
import { plainToInstance } from 'class-transformer';
import { buildIntegration } from '../../../../test/factories/integration.factory';
import { CreateIntegrationRequestDto } from './dto/create-integration.request.dto';
import { IntegrationResponseMapper } from './integration.response-mapper';
import { IntegrationsController, toCreateCommand } from './integrations.controller';

const actor: Actor = { kind: 'api-key', organizationId: 'org', environmentId: 'env' };

class FakeCreateIntegration implements Pick<CreateIntegration, 'execute'> {
  readonly commands: CreateIntegrationCommand[] = [];
  async execute(command: CreateIntegrationCommand) {
    this.commands.push(command);
    return { integration: buildIntegration({ providerId: command.providerId, organizationId: 'org', environmentId: 'env' }) };
  }
}

describe('toCreateCommand', () => {
  it('maps the body to the command, _environmentId to environmentId', () => {
    const body = plainToInstance(CreateIntegrationRequestDto, {
      providerId: 'sendgrid',
      _environmentId: 'env-2',
      name: 'Mail',
      active: true,
      credentials: { apiKey: 'k', secure: false },
      conditions: [{ isNegated: false, value: 'AND', children: [{ field: 'a', value: 'b', operator: 'EQUAL', on: 'payload' }] }],
      configurations: { inboxCount: 'none' },
    });
    expect(toCreateCommand(actor, body)).toEqual({
      actor,
      providerId: 'sendgrid',
      environmentId: 'env-2',
      name: 'Mail',
      active: true,
      credentials: { apiKey: 'k', secure: false },
      conditions: [{ isNegated: false, value: 'AND', children: [{ field: 'a', value: 'b', operator: 'EQUAL', on: 'payload' }] }],
      configurations: { inboxCount: 'none' },
    });
  });

  it('leaves absent and null fields out', () => {
    const body = plainToInstance(CreateIntegrationRequestDto, { providerId: 'sendgrid', name: null, credentials: { apiKey: null } });
    expect(toCreateCommand(actor, body)).toEqual({ actor, providerId: 'sendgrid', credentials: {} });
  });
});

describe('IntegrationsController.createIntegration', () => {
  it('runs the use case and maps the result (credentials: {} for API keys)', async () => {
    const useCase = new FakeCreateIntegration();
    const unused = undefined as never;
    const controller = new IntegrationsController(
      useCase as unknown as CreateIntegration,
      unused,
      unused,
      unused,
      unused,
      new IntegrationResponseMapper(),
      unused,
    );
    const response = await controller.createIntegration(
      actor,
      plainToInstance(CreateIntegrationRequestDto, { providerId: 'sendgrid' }),
      unused,
    );
    expect(useCase.commands).toEqual([{ actor, providerId: 'sendgrid' }]);
    expect(response).toMatchObject({ providerId: 'sendgrid', _environmentId: 'env', _organizationId: 'org' });
    expect(response.credentials).toEqual({});
  });
});
