import { ChannelType, CHANNELS, INTEGRATION_KINDS, IntegrationKind } from '@app/integrations';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConfigurationsDto } from './configurations.dto';
import { CredentialsDto } from './credentials.dto';
import { StepFilterDto } from './step-filter.dto';

/**
 * One integration as sent to clients: the one definition of the wire form. The OpenAPI schema is
 * generated from it, and `IntegrationResponseMapper` returns it, filling every field it declares
 * (a field added here and not mapped, or mapped and not declared here, does not compile). Keep each
 * `?` and its decorator in step (`@ApiPropertyOptional` for `?`): integration.response-shape.spec.ts
 * checks it. Optional fields are omitted when absent, never `null`.
 */
export class IntegrationResponseDto {
  @ApiPropertyOptional({
    type: String,
    description: 'The unique identifier of the integration record in the database. This is automatically generated.',
    example: '0b6f1d5e-3f0c-4a39-9d0e-6a0f3c1b2a11',
  })
  _id?: string;

  @ApiProperty({
    type: String,
    description: 'The unique identifier for the environment associated with this integration.',
    example: '6e0c8c1e-1d2a-4a51-8a8f-2f0d5a3b7c44',
  })
  _environmentId: string;

  @ApiProperty({
    type: String,
    description: 'The unique identifier for the organization that owns this integration.',
    example: 'a4b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
  })
  _organizationId: string;

  @ApiProperty({
    type: String,
    description: 'The name of the integration, which is used to identify it in the user interface.',
    example: 'SendGrid',
  })
  name: string;

  @ApiProperty({
    type: String,
    description: 'A unique string identifier for the integration, often used for API calls or internal references.',
    example: 'send-grid-PPBqWA9',
  })
  identifier: string;

  @ApiProperty({
    type: String,
    description: 'The identifier for the provider of the integration (e.g., "mailgun", "twilio").',
    example: 'sendgrid',
  })
  providerId: string;

  @ApiPropertyOptional({
    enum: [...CHANNELS],
    description:
      'The channel type for the integration, which defines how it communicates (e.g., email, SMS). Not set for agent-kind integrations.',
    example: 'email',
  })
  channel?: ChannelType;

  @ApiPropertyOptional({
    enum: [...INTEGRATION_KINDS],
    description:
      'Distinguishes delivery integrations from agent-runtime integrations. Defaults to "delivery". Agent integrations do not have a channel.',
    example: 'delivery',
  })
  kind?: IntegrationKind;

  @ApiProperty({
    type: () => CredentialsDto,
    description:
      'The decrypted credentials required for the integration to function, for dashboard/session-token callers. ' +
      'API-key callers always receive `{}` here (every route, idempotent replays included): the field is present, so that ' +
      'clients that declare it required parse the answer, and empty, so that a leaked API key does not leak provider credentials.',
    example: {},
  })
  credentials: CredentialsDto;

  @ApiPropertyOptional({
    type: () => ConfigurationsDto,
    description:
      'The configurations required for enabling the additional configurations of the integration. ' +
      '`inboundWebhookSigningKey` is a secret: returned to session callers only, never to API-key callers.',
    example: { inboundWebhookEnabled: false },
  })
  configurations?: ConfigurationsDto;

  @ApiProperty({
    type: Boolean,
    description: 'Indicates whether the integration is currently active. An active integration will process events and messages.',
    example: true,
  })
  active: boolean;

  @ApiProperty({
    type: Boolean,
    description: 'Indicates whether the integration has been marked as deleted (soft delete).',
    example: false,
  })
  deleted: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'The timestamp indicating when the integration was deleted. This is set when the integration is soft deleted.',
    example: '2025-01-02T03:04:05.000Z',
  })
  deletedAt?: string;

  @ApiPropertyOptional({
    type: String,
    description: 'The identifier of the user who performed the deletion of this integration. Useful for audit trails.',
    example: '5f3c1e2d-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
  })
  deletedBy?: string;

  @ApiProperty({
    type: Boolean,
    description:
      'Indicates whether this integration is marked as primary. A primary integration is often the default choice for processing.',
    example: true,
  })
  primary: boolean;

  @ApiPropertyOptional({
    type: Number,
    description: 'Ordering among the active integrations of the same channel (email and sms); higher comes first. 0 elsewhere.',
    example: 1,
  })
  priority?: number;

  @ApiPropertyOptional({
    type: () => [StepFilterDto],
    description: 'An array of conditions associated with the integration that may influence its behavior or processing logic.',
    example: [],
  })
  conditions?: StepFilterDto[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'When the integration was created.',
    example: '2025-01-02T03:04:05.000Z',
  })
  createdAt?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'When the integration was last changed.',
    example: '2025-01-02T03:04:05.000Z',
  })
  updatedAt?: string;
}
