import { CreateIntegrationRequestDto } from '../integrations/dto/create-integration.request.dto';
import { UpdateIntegrationRequestDto } from '../integrations/dto/update-integration.request.dto';
import { ApiValidationPipe } from './api-validation.pipe';
import { undeclaredPropertyProblems } from './declared-properties';
import { RequestValidationException } from './request-validation';

/** Names of Object.prototype members: class-transformer drops them before the whitelist looks. */
const PROTOTYPE_NAMES = [
  'toString',
  'constructor',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
];

const condition = (extra: Record<string, unknown> = {}, child: Record<string, unknown> = {}) => ({
  isNegated: false,
  value: 'AND',
  children: [{ field: 'f', value: 'v', operator: 'EQUAL', on: 'payload', ...child }],
  ...extra,
});

describe('undeclaredPropertyProblems', () => {
  it('finds nothing in a body that only uses declared properties', () => {
    const body = {
      providerId: 'sendgrid',
      credentials: { apiKey: 'k', tlsOptions: { ciphers: 'HIGH', anything: [{ deep: 1 }] } },
      conditions: [condition()],
      configurations: { inboxCount: 'unread' },
    };
    expect(undeclaredPropertyProblems(body, CreateIntegrationRequestDto)).toEqual({});
  });

  it.each(PROTOTYPE_NAMES)('names %s at every depth', (name) => {
    const body = {
      providerId: 'sendgrid',
      [name]: 1,
      credentials: { apiKey: 'k', [name]: 'secret' },
      configurations: { [name]: {} },
      conditions: [condition({ [name]: true }, { [name]: 'x' })],
    };
    expect(Object.keys(undeclaredPropertyProblems(body, CreateIntegrationRequestDto)).sort()).toEqual(
      [name, `credentials.${name}`, `configurations.${name}`, `conditions.0.${name}`, `conditions.0.children.0.${name}`].sort(),
    );
  });

  it('checks the DTOs of PickType (update) too', () => {
    expect(undeclaredPropertyProblems({ name: 'n', valueOf: 1, credentials: { constructor: 'x' } }, UpdateIntegrationRequestDto)).toEqual({
      valueOf: { messages: ['property valueOf should not exist'] },
      'credentials.constructor': { messages: ['property constructor should not exist'] },
    });
  });

  it('accepts any other key in free-form objects (tlsOptions), at any depth', () => {
    expect(
      undeclaredPropertyProblems(
        { credentials: { tlsOptions: { ca: ['pem'], anything: { nested: [{ x: 2 }] } } } },
        CreateIntegrationRequestDto,
      ),
    ).toEqual({});
  });

  // class-transformer copies a free-form object without these keys: refused, not silently dropped.
  it.each(PROTOTYPE_NAMES)('names %s in a free-form object (tlsOptions), at any depth', (name) => {
    const body = { credentials: { tlsOptions: { [name]: 1, nested: { [name]: 2 }, list: [{ [name]: 3 }] } } };
    expect(Object.keys(undeclaredPropertyProblems(body, CreateIntegrationRequestDto)).sort()).toEqual(
      [`credentials.tlsOptions.${name}`, `credentials.tlsOptions.nested.${name}`, `credentials.tlsOptions.list.0.${name}`].sort(),
    );
  });
});

describe('ApiValidationPipe and undeclared properties', () => {
  const pipe = new ApiValidationPipe();
  const refuse = async (value: unknown) => {
    const error = await pipe.transform(value, { type: 'body', metatype: CreateIntegrationRequestDto }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RequestValidationException);
    return (error as RequestValidationException).errors;
  };

  it('refuses a prototype-named key with a 422 that does not echo its value', async () => {
    const errors = await refuse({ providerId: 'sendgrid', credentials: { hasOwnProperty: 'SG.secret' } });
    expect(errors).toEqual({ 'credentials.hasOwnProperty': { messages: ['property hasOwnProperty should not exist'] } });
  });

  it('reports undeclared keys together with the other problems of the body', async () => {
    const errors = await refuse({ providerId: 5, toString: 'x' });
    expect(Object.keys(errors).sort()).toEqual(['providerId', 'toString']);
  });

  it('still passes a valid body through', async () => {
    await expect(
      pipe.transform({ providerId: 'sendgrid' }, { type: 'body', metatype: CreateIntegrationRequestDto }),
    ).resolves.toBeInstanceOf(CreateIntegrationRequestDto);
  });
});
