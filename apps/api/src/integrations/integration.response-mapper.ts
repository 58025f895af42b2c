import { Actor, Configurations, Credentials, FieldFilterPart, Integration, StepFilter } from '@app/integrations';
import { Injectable } from '@nestjs/common';
import { maySeeCredentialValues, withoutSecretValues } from '../auth/credential-visibility.policy';

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
  /** Always present: the decrypted values for sessions, `{}` for API-key callers. */
  credentials: Record<string, unknown>;
  configurations: Record<string, unknown>;
  conditions: Record<string, unknown>[];
  deletedAt?: string;
  deletedBy?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Builds responses field by field from the domain `Integration` (a whitelist: a field added to the
 * domain never leaks by accident) and asks the visibility policy about credentials: the same answer
 * on every route, and the same redaction rule as an idempotent replay to such a caller.
 */
@Injectable()
export class IntegrationResponseMapper {
  toResponse(integration: Integration, actor: Actor): IntegrationResponse {
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
      credentials: withoutNil(integration.credentials),
      configurations: withoutNil(integration.configurations),
      conditions: (integration.conditions ?? []).map(mapCondition),
      createdAt: toIso(integration.createdAt),
      updatedAt: toIso(integration.updatedAt),
    };
    if (integration.channel != null) response.channel = integration.channel;
    if (integration.deletedAt != null) response.deletedAt = toIso(integration.deletedAt);
    if (integration.deletedBy != null) response.deletedBy = integration.deletedBy;
    return maySeeCredentialValues(actor) ? response : withoutSecretValues(response);
  }

  toResponses(integrations: readonly Integration[], actor: Actor): IntegrationResponse[] {
    return integrations.map((integration) => this.toResponse(integration, actor));
  }
}

function toIso(date: Date | string): string {
  return (date instanceof Date ? date : new Date(date)).toISOString();
}

/** The set's present values (absent and `null` members are left out: the wire never sends `null`). */
function withoutNil(values: Credentials | Configurations | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values ?? {})) {
    if (value != null) out[key] = value;
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
