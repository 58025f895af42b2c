import { Actor, Configurations, Credentials, FieldFilterPart, Integration, StepFilter } from '@app/integrations';
import { Injectable } from '@nestjs/common';
import { maySeeCredentialValues, withoutSecretValues } from '../auth/credential-visibility.policy';
import { ConfigurationsDto } from './dto/configurations.dto';
import { CredentialsDto } from './dto/credentials.dto';
import { FieldFilterPartDto } from './dto/field-filter-part.dto';
import { IntegrationResponseDto } from './dto/integration.response.dto';
import { StepFilterDto } from './dto/step-filter.dto';

/**
 * Every field of the wire class `T`, each one listed: a required field with its value, an optional
 * one with its value or `undefined` (absent). The mapper fills this type, so that a field the class
 * gains and the mapper does not fill, or a field the mapper sends and the class does not declare
 * (and so the OpenAPI document does not describe), does not compile.
 */
export type WireFields<T> = { [K in keyof Required<T>]: K extends OptionalKeys<T> ? Required<T>[K] | undefined : Required<T>[K] };

/** The keys of `T` declared optional (`?`). */
export type OptionalKeys<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? K : never }[keyof T];

/**
 * Builds responses field by field from the domain `Integration` (a whitelist: a field added to the
 * domain never leaks by accident) and asks the visibility policy about credentials: the same answer
 * on every route, and the same redaction rule as an idempotent replay to such a caller. The type of
 * a response is `IntegrationResponseDto`, the class the OpenAPI schema is generated from.
 */
@Injectable()
export class IntegrationResponseMapper {
  toResponse(integration: Integration, actor: Actor): IntegrationResponseDto {
    const response = present<IntegrationResponseDto>({
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
      credentials: wireCredentials(integration.credentials),
      configurations: wireConfigurations(integration.configurations),
      conditions: (integration.conditions ?? []).map(mapCondition),
      createdAt: toIso(integration.createdAt),
      updatedAt: toIso(integration.updatedAt),
      channel: integration.channel,
      deletedAt: integration.deletedAt == null ? undefined : toIso(integration.deletedAt),
      deletedBy: integration.deletedBy,
    });
    return maySeeCredentialValues(actor) ? response : withoutSecretValues(response);
  }

  toResponses(integrations: readonly Integration[], actor: Actor): IntegrationResponseDto[] {
    return integrations.map((integration) => this.toResponse(integration, actor));
  }
}

/** The listed fields that have a value: absent (`undefined`) and `null` ones are left out, the wire never sends `null`. */
function present<T>(fields: WireFields<T>): T {
  return withoutNil(fields) as T;
}

function toIso(date: Date | string): string {
  return (date instanceof Date ? date : new Date(date)).toISOString();
}

/**
 * The stored credentials with their present values. The domain keeps them as an open record; what is
 * stored was accepted through `CredentialsDto` (unknown keys refused, values of its types), so the
 * record is read as that class: the one place the wire type is asserted rather than built.
 */
function wireCredentials(credentials: Credentials | undefined): CredentialsDto {
  return withoutNil(credentials ?? {}) as CredentialsDto;
}

function wireConfigurations(configurations: Configurations | undefined): ConfigurationsDto {
  return withoutNil<ConfigurationsDto>(configurations ?? {});
}

/**
 * The set's present values (absent and `null` members are left out), in their order. Runs for every
 * field of every listed integration: a plain loop over the keys, no `[key, value]` pair per field.
 */
function withoutNil<T extends object>(values: T): T {
  const source = values as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const value = source[keys[i]];
    if (value != null) out[keys[i]] = value;
  }
  return out as T;
}

function mapCondition(condition: StepFilter): StepFilterDto {
  return present<StepFilterDto>({
    isNegated: condition.isNegated,
    value: condition.value,
    children: (condition.children ?? []).map(mapConditionPart),
    type: condition.type,
  });
}

function mapConditionPart(part: FieldFilterPart): FieldFilterPartDto {
  return present<FieldFilterPartDto>({ field: part.field, value: part.value, operator: part.operator, on: part.on });
}
