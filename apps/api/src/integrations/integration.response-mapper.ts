import { Actor, Configurations, Credentials, FieldFilterPart, Integration, StepFilter } from '@app/integrations';
import { Injectable } from '@nestjs/common';
import { maySeeCredentialValues } from '../auth/credential-visibility.policy';

/**
 * What an API-key caller gets in place of credential values: the field left out (create, update,
 * set-primary) or an empty object (list, active, delete), as the reference does.
 */
export type CredentialsMode = 'omit' | 'empty';

/** The wire form of an integration (spec §1). Optional fields are absent, never `null`. */
export interface IntegrationResponse {
  _id: string;
  _environmentId: string;
  _organizationId: string;
  name: string;
  identifier: string;
  providerId: string;
  channel?: string;
  kind: string;
  active: boolean;
  deleted: boolean;
  primary: boolean;
  priority: number;
  credentials?: Record<string, unknown>;
  configurations: Record<string, unknown>;
  conditions: Record<string, unknown>[];
  deletedAt?: string;
  deletedBy?: string;
  createdAt: string;
  updatedAt: string;
}

/** Configuration keys that hold secrets: shown only to callers allowed to see credential values. */
const SECRET_CONFIGURATION_KEYS: ReadonlySet<keyof Configurations> = new Set(['inboundWebhookSigningKey']);

/**
 * Builds responses field by field from the domain `Integration` (a whitelist: a field added to the
 * domain never leaks by accident) and asks the visibility policy about credentials.
 */
@Injectable()
export class IntegrationResponseMapper {
  toResponse(integration: Integration, actor: Actor, credentialsMode: CredentialsMode): IntegrationResponse {
    const mayReveal = maySeeCredentialValues(actor);
    const response: IntegrationResponse = {
      _id: integration.id,
      _environmentId: integration.environmentId,
      _organizationId: integration.organizationId,
      name: integration.name,
      identifier: integration.identifier,
      providerId: integration.providerId,
      kind: integration.kind,
      active: integration.active,
      deleted: integration.deleted,
      primary: integration.primary,
      priority: integration.priority,
      configurations: mapConfigurations(integration.configurations, mayReveal),
      conditions: (integration.conditions ?? []).map(mapCondition),
      createdAt: toIso(integration.createdAt),
      updatedAt: toIso(integration.updatedAt),
    };
    if (integration.channel != null) response.channel = integration.channel;
    if (mayReveal) response.credentials = withoutNil(integration.credentials);
    else if (credentialsMode === 'empty') response.credentials = {};
    if (integration.deletedAt != null) response.deletedAt = toIso(integration.deletedAt);
    if (integration.deletedBy != null) response.deletedBy = integration.deletedBy;
    return response;
  }

  toResponses(integrations: readonly Integration[], actor: Actor, credentialsMode: CredentialsMode): IntegrationResponse[] {
    return integrations.map((integration) => this.toResponse(integration, actor, credentialsMode));
  }
}

function toIso(date: Date | string): string {
  return (date instanceof Date ? date : new Date(date)).toISOString();
}

function withoutNil(credentials: Credentials | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(credentials ?? {})) {
    if (value != null) out[key] = value;
  }
  return out;
}

function mapConfigurations(configurations: Configurations | undefined, mayReveal: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(configurations ?? {})) {
    if (value == null) continue;
    if (!mayReveal && SECRET_CONFIGURATION_KEYS.has(key as keyof Configurations)) continue;
    out[key] = value;
  }
  return out;
}

function mapCondition(condition: StepFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {
    isNegated: condition.isNegated,
    value: condition.value,
    children: (condition.children ?? []).map(mapConditionPart),
  };
  if (condition.type != null) out.type = condition.type;
  return out;
}

function mapConditionPart(part: FieldFilterPart): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['field', 'value', 'operator', 'on'] as const) {
    if (part[key] != null) out[key] = part[key];
  }
  return out;
}
