import { generateSchema } from '@nestjs/swagger';
import { buildIntegration } from '../../../../test/factories/integration.factory';
import { IntegrationResponseDto } from './dto/integration.response.dto';
import { IntegrationResponseMapper, OptionalKeys, WireFields } from './integration.response-mapper';

/** `true` only when `A` and `B` are the same type. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** The fields the class declares optional (`?`); the type check below keeps this list equal to the class. */
const OPTIONAL_FIELDS = [
  '_id',
  'channel',
  'kind',
  'configurations',
  'deletedAt',
  'deletedBy',
  'priority',
  'conditions',
  'createdAt',
  'updatedAt',
] as const;
const optionalFieldsAreTheClasses: Equal<(typeof OPTIONAL_FIELDS)[number], OptionalKeys<IntegrationResponseDto>> = true;

/** Every field the mapper must list, each with a value. */
const everyField: WireFields<IntegrationResponseDto> = {
  _id: 'id',
  _environmentId: 'env',
  _organizationId: 'org',
  name: 'SendGrid',
  identifier: 'sendgrid',
  providerId: 'sendgrid',
  channel: 'email',
  kind: 'delivery',
  active: true,
  deleted: true,
  primary: false,
  priority: 0,
  credentials: {},
  configurations: {},
  conditions: [],
  deletedAt: '2025-01-02T03:04:05.000Z',
  deletedBy: 'user',
  createdAt: '2025-01-02T03:04:05.000Z',
  updatedAt: '2025-01-02T03:04:05.000Z',
};

describe('the one response shape: IntegrationResponseDto is the mapper type and the OpenAPI schema', () => {
  const schema = generateSchema(IntegrationResponseDto).schema;

  it('has the OpenAPI schema document exactly the fields of the class, optional where the class says `?`', () => {
    expect(optionalFieldsAreTheClasses).toBe(true);
    const documented = Object.keys(schema.properties ?? {});
    expect([...documented].sort()).toEqual(Object.keys(everyField).sort());
    const optional = documented.filter((field) => !(schema.required ?? []).includes(field));
    expect(optional.sort()).toEqual([...OPTIONAL_FIELDS].sort());
  });

  it('makes the mapper send exactly the documented fields of a fully set integration', () => {
    const integration = buildIntegration({
      channel: 'email',
      deleted: true,
      deletedAt: new Date('2025-01-02T03:04:05.000Z'),
      deletedBy: 'user',
    });
    const response = new IntegrationResponseMapper().toResponse(integration, {
      kind: 'session',
      organizationId: 'org',
      environmentId: 'env',
      userId: 'user',
    });
    expect(Object.keys(response).sort()).toEqual(Object.keys(schema.properties ?? {}).sort());
  });

  it('does not compile a mapping that leaves out a field of the class or sends one the class does not declare', () => {
    const { deletedBy: _left, ...withoutDeletedBy } = everyField;
    // @ts-expect-error an optional field of the class that the mapping does not list
    const missing: WireFields<IntegrationResponseDto> = withoutDeletedBy;
    // @ts-expect-error a required field of the class cannot be given as absent
    const absentRequired: WireFields<IntegrationResponseDto> = { ...everyField, name: undefined };
    // @ts-expect-error a field that the class (and so the OpenAPI schema) does not declare
    const undeclared: WireFields<IntegrationResponseDto> = { ...everyField, secretInternal: 'x' };
    // @ts-expect-error a field of the wrong type
    const wrongType: WireFields<IntegrationResponseDto> = { ...everyField, priority: '1' };
    expect([missing, absentRequired, undeclared, wrongType].map((fields) => 'name' in fields)).toEqual([true, true, true, true]);
  });
});
