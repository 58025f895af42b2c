import {
  Actor,
  CreateIntegration,
  CreateIntegrationCommand,
  DeleteIntegration,
  IntegrationWriteResult,
  IntegrationSelection,
  ListIntegrations,
  SelectIntegration,
  SelectIntegrationCommand,
  SetIntegrationAsPrimary,
  UpdateIntegration,
  UpdateIntegrationCommand,
} from '@app/integrations';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBody, ApiExtension, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Auth } from '../auth/auth.decorator';
import { maySeeCredentialValues } from '../auth/credential-visibility.policy';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ApiDataResponse, ApiErrorResponses } from './api-responses.decorator';
import { CreateIntegrationRequestDto } from './dto/create-integration.request.dto';
import { IntegrationResponseDto } from './dto/integration.response.dto';
import { UpdateIntegrationRequestDto } from './dto/update-integration.request.dto';
import { IntegrationResponseMapper } from './integration.response-mapper';
import { NotIdempotent } from '../idempotency/not-idempotent.decorator';
import { SelectIntegrationRequestDto } from './dto/select-integration.request.dto';
import { IntegrationSelectionResponseDto } from './dto/integration-selection.response.dto';

/** Request examples Swagger UI's "Try it out" starts from (the generated one mixes every provider's keys). */
const CREATE_EXAMPLES = {
  sendgrid: {
    summary: 'SendGrid email, active',
    value: {
      providerId: 'sendgrid',
      channel: 'email',
      name: 'SendGrid',
      active: true,
      credentials: { apiKey: 'SG.xxxxxxxx', from: 'no-reply@example.com', senderName: 'Example' },
    },
  },
  minimal: { summary: 'Only the provider (inactive, defaults for the rest)', value: { providerId: 'twilio' } },
  smtp: {
    summary: 'Custom SMTP',
    value: {
      providerId: 'nodemailer',
      credentials: {
        host: 'smtp.example.com',
        port: '587',
        secure: false,
        user: 'mailer',
        password: 'secret',
        from: 'no-reply@example.com',
        senderName: 'Example',
      },
    },
  },
};
/**
 * The 201 of create as an API-key caller (the SDK's caller) really receives it, for the first
 * example above: `credentials: {}` and no signing key, whatever was sent. Typed as the mapper's
 * output so that it cannot drift from the wire form.
 */
const CREATED_FOR_API_KEY_EXAMPLE: { data: IntegrationResponseDto } = {
  data: {
    _id: '0b6f1d5e-3f0c-4a39-9d0e-6a0f3c1b2a11',
    _environmentId: '6e0c8c1e-1d2a-4a51-8a8f-2f0d5a3b7c44',
    _organizationId: 'a4b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
    name: 'SendGrid',
    identifier: 'send-grid-PPBqWA9',
    providerId: 'sendgrid',
    channel: 'email',
    kind: 'delivery',
    active: true,
    deleted: false,
    primary: true,
    priority: 1,
    credentials: {},
    configurations: { inboundWebhookEnabled: true },
    conditions: [],
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:04:05.000Z',
  },
};
const UPDATE_EXAMPLES = {
  rename: { summary: 'Rename', value: { name: 'Transactional email' } },
  activate: {
    summary: 'Activate with new credentials',
    value: { active: true, credentials: { apiKey: 'SG.yyyyyyyy', from: 'no-reply@example.com', senderName: 'Example' } },
  },
};

const SELECT_EXAMPLES = {
  primary: { summary: 'The email primary', value: { channel: 'email' } },
  tenant: {
    summary: "For a tenant (integrations' conditions evaluated)",
    value: { channel: 'email', tenant: { identifier: 'acme', name: 'Acme Corp', data: { plan: 'pro' } } },
  },
  identifier: { summary: 'One integration by identifier', value: { channel: 'sms', identifier: 'twilio-main' } },
};

/**
 * Set when the request asked for `check: true`: `verified` (the provider accepted the credentials)
 * or `unsupported` (no verifier exists for this provider; saved unchecked). A header, so that the
 * body keeps the reference schema the SDK validates.
 */
export const CREDENTIALS_CHECK_HEADER = 'Novu-Credentials-Check';

const CREDENTIALS_NOTE =
  'Credential values are returned only to dashboard (session) callers: API-key callers get `credentials: {}` on every ' +
  'integration (idempotent replays included) and never `configurations.inboundWebhookSigningKey`.';

/** The `/v1/integrations` resource. Thin: DTO + caller → command → use case → mapper. */
@ApiTags('Integrations')
@ApiHeader({ name: 'idempotency-key', required: false, description: 'A header for idempotency purposes' })
@ApiErrorResponses()
@Auth()
@Controller('v1/integrations')
export class IntegrationsController {
  constructor(
    private readonly createIntegrationUseCase: CreateIntegration,
    private readonly listIntegrationsUseCase: ListIntegrations,
    private readonly updateIntegrationUseCase: UpdateIntegration,
    private readonly setIntegrationAsPrimaryUseCase: SetIntegrationAsPrimary,
    private readonly deleteIntegrationUseCase: DeleteIntegration,
    private readonly mapper: IntegrationResponseMapper,
    private readonly selectIntegrationUseCase: SelectIntegration,
  ) {}

  /** The use case's response, plus the check outcome as a header when `check: true` was asked. */
  private respond(reply: FastifyReply, actor: Actor, { integration, credentialsCheck }: IntegrationWriteResult): IntegrationResponseDto {
    if (credentialsCheck) reply.header(CREDENTIALS_CHECK_HEADER, credentialsCheck);
    return this.mapper.toResponse(integration, actor);
  }

  @Get()
  @ApiOperation({
    operationId: 'IntegrationsController_listIntegrations',
    summary: 'List all integrations',
    description:
      "List all the channels integrations created in the organization (session) or in the API key's environment. " + CREDENTIALS_NOTE,
  })
  @ApiExtension('x-speakeasy-name-override', 'list')
  @ApiDataResponse(HttpStatus.OK, IntegrationResponseDto, { isArray: true })
  async listIntegrations(@CurrentActor() actor: Actor): Promise<IntegrationResponseDto[]> {
    const integrations = await this.listIntegrationsUseCase.execute({ actor, includeSecrets: maySeeCredentialValues(actor) });
    return this.mapper.toResponses(integrations, actor);
  }

  @Get('active')
  @ApiOperation({
    operationId: 'IntegrationsController_getActiveIntegrations',
    summary: 'List active integrations',
    description: 'List all the active integrations, in the same scope as the list route. ' + CREDENTIALS_NOTE,
  })
  @ApiExtension('x-speakeasy-name-override', 'listActive')
  @ApiDataResponse(HttpStatus.OK, IntegrationResponseDto, { isArray: true })
  async getActiveIntegrations(@CurrentActor() actor: Actor): Promise<IntegrationResponseDto[]> {
    const integrations = await this.listIntegrationsUseCase.execute({
      actor,
      activeOnly: true,
      includeSecrets: maySeeCredentialValues(actor),
    });
    return this.mapper.toResponses(integrations, actor);
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    operationId: 'IntegrationsController_createIntegration',
    summary: 'Create an integration',
    description:
      'Create an integration for the current environment the user is based on the API key provided. ' +
      'Each provider supports different credentials, check the provider documentation for more details. ' +
      CREDENTIALS_NOTE,
  })
  @ApiExtension('x-speakeasy-name-override', 'create')
  @ApiBody({ type: CreateIntegrationRequestDto, required: true, examples: CREATE_EXAMPLES })
  @ApiDataResponse(HttpStatus.CREATED, IntegrationResponseDto, {
    description: 'Created. The example is what an API-key caller receives: `credentials: {}`, no signing key.',
    example: CREATED_FOR_API_KEY_EXAMPLE,
  })
  async createIntegration(
    @CurrentActor() actor: Actor,
    @Body() body: CreateIntegrationRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IntegrationResponseDto> {
    return this.respond(reply, actor, await this.createIntegrationUseCase.execute(toCreateCommand(actor, body)));
  }

  @Post('select')
  @HttpCode(HttpStatus.OK)
  @NotIdempotent()
  @ApiOperation({
    operationId: 'IntegrationsController_selectIntegration',
    summary: 'Select the integration that delivers a message',
    description:
      "Which active integration of the caller's environment delivers a message of this channel (for this tenant, provider or " +
      'identifier), the ordered fallbacks to try when it fails, and every candidate with the reason it was taken or passed ' +
      'over. Answers 200; writes nothing, so an `idempotency-key` header is ignored. ' +
      CREDENTIALS_NOTE,
  })
  @ApiExtension('x-speakeasy-name-override', 'select')
  @ApiBody({ type: SelectIntegrationRequestDto, required: true, examples: SELECT_EXAMPLES })
  @ApiDataResponse(HttpStatus.OK, IntegrationSelectionResponseDto)
  async selectIntegration(
    @CurrentActor() actor: Actor,
    @Body() body: SelectIntegrationRequestDto,
  ): Promise<IntegrationSelectionResponseDto> {
    const selection = await this.selectIntegrationUseCase.execute(toSelectCommand(actor, body));
    return toSelectionResponse(selection, actor, this.mapper);
  }

  @Put(':integrationId')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'IntegrationsController_updateIntegrationById',
    summary: 'Update an integration',
    description:
      'Update an integration by its unique key identifier **integrationId**. `credentials` replaces the stored set. ' + CREDENTIALS_NOTE,
  })
  @ApiExtension('x-speakeasy-name-override', 'update')
  @ApiParam({ name: 'integrationId', type: String, required: true })
  @ApiBody({ type: UpdateIntegrationRequestDto, required: true, examples: UPDATE_EXAMPLES })
  @ApiDataResponse(HttpStatus.OK, IntegrationResponseDto)
  async updateIntegrationById(
    @CurrentActor() actor: Actor,
    @Param('integrationId') integrationId: string,
    @Body() body: UpdateIntegrationRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IntegrationResponseDto> {
    return this.respond(reply, actor, await this.updateIntegrationUseCase.execute(toUpdateCommand(actor, integrationId, body)));
  }

  @Post(':integrationId/set-primary')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'IntegrationsController_setIntegrationAsPrimary',
    summary: 'Update integration as primary',
    description:
      'Makes an email or sms integration the primary one of its channel: it becomes active, loses its conditions ' +
      'and gets the highest priority; the previous primary loses the flag. Answers 200. ' +
      CREDENTIALS_NOTE,
  })
  @ApiExtension('x-speakeasy-name-override', 'setAsPrimary')
  @ApiParam({ name: 'integrationId', type: String, required: true })
  @ApiDataResponse(HttpStatus.OK, IntegrationResponseDto)
  async setIntegrationAsPrimary(
    @CurrentActor() actor: Actor,
    @Param('integrationId') integrationId: string,
  ): Promise<IntegrationResponseDto> {
    const integration = await this.setIntegrationAsPrimaryUseCase.execute({ actor, integrationId });
    return this.mapper.toResponse(integration, actor);
  }

  @Delete(':integrationId')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'IntegrationsController_removeIntegration',
    summary: 'Delete an integration',
    description: 'Soft-deletes an integration and answers with the integrations that remain in its environment. ' + CREDENTIALS_NOTE,
  })
  @ApiExtension('x-speakeasy-name-override', 'delete')
  @ApiParam({ name: 'integrationId', type: String, required: true })
  @ApiDataResponse(HttpStatus.OK, IntegrationResponseDto, { isArray: true })
  async removeIntegration(@CurrentActor() actor: Actor, @Param('integrationId') integrationId: string): Promise<IntegrationResponseDto[]> {
    const remaining = await this.deleteIntegrationUseCase.execute({
      actor,
      integrationId,
      includeSecrets: maySeeCredentialValues(actor),
    });
    return this.mapper.toResponses(remaining, actor);
  }
}

/** The fields create and update share, from the validated body; absent (or null) fields stay absent. */
function commonFields(body: UpdateIntegrationRequestDto) {
  return {
    name: body.name,
    identifier: body.identifier,
    environmentId: body._environmentId,
    active: body.active,
    credentials: body.credentials ? withoutNil({ ...body.credentials }) : undefined,
    check: body.check,
    conditions: body.conditions?.map((condition) =>
      withoutNil({ ...condition, children: condition.children.map((part) => ({ ...part })) }),
    ),
    configurations: body.configurations ? withoutNil({ ...body.configurations }) : undefined,
  };
}

/** The create command: the caller plus the validated body. */
export function toCreateCommand(actor: Actor, body: CreateIntegrationRequestDto): CreateIntegrationCommand {
  return withoutNil({
    actor,
    providerId: body.providerId,
    channel: body.channel,
    kind: body.kind,
    ...commonFields(body),
  }) as CreateIntegrationCommand;
}

/** The update command; an empty body yields no fields, which the use case refuses. */
export function toUpdateCommand(actor: Actor, integrationId: string, body: UpdateIntegrationRequestDto): UpdateIntegrationCommand {
  return withoutNil({ actor, integrationId, ...commonFields(body) }) as UpdateIntegrationCommand;
}

function withoutNil<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

/** The selection command: the caller's environment plus the validated body. */
export function toSelectCommand(actor: Actor, body: SelectIntegrationRequestDto): SelectIntegrationCommand {
  const tenant = body.tenant
    ? withoutNil({ identifier: body.tenant.identifier, name: body.tenant.name, data: body.tenant.data })
    : undefined;
  return withoutNil({
    organizationId: actor.organizationId,
    environmentId: actor.environmentId,
    channel: body.channel,
    providerId: body.providerId,
    identifier: body.identifier,
    tenant,
  }) as SelectIntegrationCommand;
}

/** Integrations through the one response mapper (so the same visibility policy), candidates field by field. */
export function toSelectionResponse(
  selection: IntegrationSelection,
  actor: Actor,
  mapper: IntegrationResponseMapper,
): IntegrationSelectionResponseDto {
  return {
    ...(selection.integration ? { integration: mapper.toResponse(selection.integration, actor) } : {}),
    fallbacks: mapper.toResponses(selection.fallbacks, actor),
    candidates: selection.candidates.map((candidate) => ({
      _id: candidate.id,
      identifier: candidate.identifier,
      providerId: candidate.providerId,
      selected: candidate.selected,
      reason: candidate.reason,
    })),
  };
}
