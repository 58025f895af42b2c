import { ArgumentMetadata } from '@nestjs/common';
import { ValidationError } from 'class-validator';
import { CreateIntegrationRequestDto } from '../integrations/dto/create-integration.request.dto';
import { ApiValidationPipe } from './api-validation.pipe';
import {
  flattenValidationErrors,
  MAX_ECHOED_STRING_LENGTH,
  mayEchoValue,
  redactFieldProblems,
  RequestValidationException,
} from './request-validation';

function error(property: string, constraints?: Record<string, string>, children: ValidationError[] = [], value?: unknown): ValidationError {
  return Object.assign(new ValidationError(), { property, constraints, children, value });
}

describe('flattenValidationErrors', () => {
  it('keys top-level errors by property, with messages and value', () => {
    expect(flattenValidationErrors([error('name', { isString: 'name must be a string' }, [], 42)])).toEqual({
      name: { messages: ['name must be a string'], value: 42 },
    });
  });

  it('dots nested objects and array indexes', () => {
    const tree = [
      error('conditions', undefined, [
        error('0', undefined, [
          error('children', undefined, [error('0', undefined, [error('operator', { isIn: 'operator must be one of …' }, [], 'ROUGHLY')])]),
        ]),
        error('2', { nestedValidation: 'each value in nested property conditions must be either object or array' }, [], 5),
      ]),
      error('configurations', undefined, [error('inbox', { whitelistValidation: 'property inbox should not exist' }, [], 'x')]),
    ];
    expect(flattenValidationErrors(tree)).toEqual({
      'conditions.0.children.0.operator': { messages: ['operator must be one of …'], value: 'ROUGHLY' },
      'conditions.2': { messages: ['each value in nested property conditions must be either object or array'], value: 5 },
      'configurations.inbox': { messages: ['property inbox should not exist'] },
    });
  });

  it('never echoes the value of an unknown key, whatever it holds', () => {
    const credentials = { apiKey: 'SG.very-secret-sendgrid-key' };
    const tree = [
      error('credentilas', { whitelistValidation: 'property credentilas should not exist' }, [], credentials),
      error('colour', { whitelistValidation: 'property colour should not exist' }, [], 'blue'),
    ];
    const flat = flattenValidationErrors(tree);
    expect(flat).toEqual({
      credentilas: { messages: ['property credentilas should not exist'] },
      colour: { messages: ['property colour should not exist'] },
    });
    expect(JSON.stringify(flat)).not.toContain('SG.');
  });

  it('echoes only known, non-secret properties (allow-list), and only short scalars', () => {
    const long = 'n'.repeat(10_000);
    const tree = [
      error('name', { maxLength: 'name must be shorter than or equal to 255 characters' }, [], long),
      error('identifier', { isString: 'identifier must be a string' }, [], { nested: 'object' }),
      error('providerId', { isString: 'providerId must be a string' }, [], ['sendgrid']),
      error('active', { isBoolean: 'active must be a boolean value' }, [], 'yes'),
      error('configurations', undefined, [
        error('inboxCount', { isIn: 'inboxCount must be one of …' }, [], 'many'),
        error('configurationSetName', { isString: 'must be a string' }, [], 7),
      ]),
      error('conditions', undefined, [
        error('0', undefined, [error('children', undefined, [error('0', undefined, [error('on', { isIn: 'on must be …' }, [], 'moon')])])]),
      ]),
      error('credentials', { isObject: 'credentials must be an object' }, [], 'SG.pasted-as-a-string'),
      error('configurations', { isObject: 'configurations must be an object' }, [], 'x'),
    ];
    const flat = flattenValidationErrors(tree);
    expect(flat.name).toEqual({ messages: ['name must be shorter than or equal to 255 characters'] });
    expect(flat.identifier).toEqual({ messages: ['identifier must be a string'] });
    expect(flat.providerId).toEqual({ messages: ['providerId must be a string'] });
    expect(flat.active).toEqual({ messages: ['active must be a boolean value'], value: 'yes' });
    expect(flat['configurations.inboxCount'].value).toBe('many');
    expect(flat['configurations.configurationSetName'].value).toBe(7);
    expect(flat['conditions.0.children.0.on'].value).toBe('moon');
    expect(flat.credentials).toEqual({ messages: ['credentials must be an object'] });
    expect(flat.configurations).toEqual({ messages: ['configurations must be an object'] });
  });

  it.each([
    ['a string of the longest echoed length', 'x'.repeat(MAX_ECHOED_STRING_LENGTH), true],
    ['a string one longer', 'x'.repeat(MAX_ECHOED_STRING_LENGTH + 1), false],
    ['a lone surrogate', 'a\ud800b', false],
    ['a surrogate pair', 'a\ud83d\ude00b', true],
    ['NaN', Number.NaN, false],
    ['null', null, true],
  ])('mayEchoValue on a known path: %s → %p', (_label, value, expected) => {
    expect(mayEchoValue('name', value)).toBe(expected);
  });

  it.each([
    ['credentials.apiKey'],
    ['credentials.tlsOptions.ca'],
    ['configurations.inboundWebhookSigningKey'],
    ['colour'],
    ['conditions.0.children.0.extra'],
  ])('mayEchoValue never echoes %p', (path) => {
    expect(mayEchoValue(path, 'short')).toBe(false);
  });

  it('never echoes credential values or the signing key', () => {
    const tree = [
      error('credentials', undefined, [error('apiKey', { isString: 'apiKey must be a string' }, [], 12345)]),
      error('configurations', undefined, [error('inboundWebhookSigningKey', { isString: 'must be a string' }, [], 99)]),
    ];
    expect(flattenValidationErrors(tree)).toEqual({
      'credentials.apiKey': { messages: ['apiKey must be a string'] },
      'configurations.inboundWebhookSigningKey': { messages: ['must be a string'] },
    });
  });

  it('keeps both the own messages and the children of a property', () => {
    const tree = [error('conditions', { isArray: 'conditions must be an array' }, [error('0', { x: 'bad item' })], 'all')];
    expect(flattenValidationErrors(tree)).toEqual({
      conditions: { messages: ['conditions must be an array'], value: 'all' },
      'conditions.0': { messages: ['bad item'] },
    });
  });
});

describe('redactFieldProblems (the domain 422s)', () => {
  it('keeps messages, and values only where the allow-list permits', () => {
    expect(
      redactFieldProblems({
        'credentials.apiKey': { messages: ['credentials.apiKey is required'], value: '   ' },
        'credentials.host': { messages: ['credentials.host must be a public host'], value: '169.254.169.254' },
        providerId: { messages: ['providerId must be a known delivery provider'], value: 'made-up' },
        _environmentId: { messages: ['…'], value: 'e'.repeat(MAX_ECHOED_STRING_LENGTH + 1) },
      }),
    ).toEqual({
      'credentials.apiKey': { messages: ['credentials.apiKey is required'] },
      'credentials.host': { messages: ['credentials.host must be a public host'] },
      providerId: { messages: ['providerId must be a known delivery provider'], value: 'made-up' },
      _environmentId: { messages: ['…'] },
    });
  });
});

describe('ApiValidationPipe on CreateIntegrationRequestDto', () => {
  const pipe = new ApiValidationPipe();
  const metadata: ArgumentMetadata = { type: 'body', metatype: CreateIntegrationRequestDto };

  async function problems(body: unknown): Promise<Record<string, { messages: string[]; value?: unknown }>> {
    try {
      await pipe.transform(body, metadata);
    } catch (e) {
      expect(e).toBeInstanceOf(RequestValidationException);
      const exception = e as RequestValidationException;
      expect(exception.getStatus()).toBe(422);
      return exception.errors;
    }
    throw new Error('expected a validation error');
  }

  it('accepts a full, well-formed body and returns a DTO instance', async () => {
    const body = {
      providerId: 'nodemailer',
      channel: 'email',
      kind: 'delivery',
      name: 'SMTP',
      identifier: 'smtp',
      _environmentId: '22222222-2222-4222-8222-222222222222',
      active: true,
      check: false,
      credentials: { host: 'smtp.example.com', port: '587', secure: true, tlsOptions: { minVersion: 'TLSv1.2' } },
      configurations: { inboundWebhookEnabled: true, inboundWebhookSigningKey: 'k', configurationSetName: 's', inboxCount: 'unseen' },
      conditions: [
        { isNegated: false, type: 'GROUP', value: 'OR', children: [{ field: 'plan', value: 'pro', operator: 'IS_DEFINED', on: 'tenant' }] },
      ],
    };
    const dto = await pipe.transform(body, metadata);
    expect(dto).toBeInstanceOf(CreateIntegrationRequestDto);
    expect(JSON.parse(JSON.stringify(dto))).toEqual(body);
  });

  it('names unknown keys at every depth, with dotted paths', async () => {
    const errors = await problems({
      providerId: 'sendgrid',
      colour: 'blue',
      credentials: { apiKee: 'typo' },
      configurations: { inbox: 'x' },
      conditions: [{ isNegated: false, value: 'AND', children: [{ field: 'a', value: 'b', operator: 'EQUAL', on: 'payload', extra: 1 }] }],
    });
    expect(Object.keys(errors).sort()).toEqual(['colour', 'conditions.0.children.0.extra', 'configurations.inbox', 'credentials.apiKee']);
  });

  it('does not echo a misspelled credentials object, nor a long name', async () => {
    const secret = 'SG.abcdefghijklmnopqrstuvwxyz0123456789';
    const errors = await problems({ providerId: 'sendgrid', name: 'n'.repeat(10_000), credentilas: { apiKey: secret } });
    expect(Object.keys(errors).sort()).toEqual(['credentilas', 'name']);
    expect(errors.credentilas).not.toHaveProperty('value');
    expect(errors.name).not.toHaveProperty('value');
    expect(JSON.stringify(errors)).not.toContain(secret);
  });

  it('validates conditions deeply', async () => {
    const errors = await problems({
      providerId: 'sendgrid',
      conditions: [
        { isNegated: 'no', value: 'XOR', type: 'BLOB', children: [{ field: 1, value: 'b', operator: 'ROUGHLY', on: 'moon' }] },
        { isNegated: false, value: 'AND', children: 'none' },
        7,
      ],
    });
    expect(Object.keys(errors).sort()).toEqual([
      'conditions.0.children.0.field',
      'conditions.0.children.0.on',
      'conditions.0.children.0.operator',
      'conditions.0.isNegated',
      'conditions.0.type',
      'conditions.0.value',
      'conditions.1.children',
      'conditions.2',
    ]);
  });

  it('requires providerId and checks types without coercion', async () => {
    const errors = await problems({ active: 'true', credentials: { port: 587, secure: 'true' } });
    expect(Object.keys(errors).sort()).toEqual(['active', 'credentials.port', 'credentials.secure', 'providerId']);
  });

  it.each([[[]], [[{ providerId: 'sendgrid' }]], ['text'], [42], [null], [true]])(
    'refuses the non-object body %p with a 422',
    async (body) => {
      expect(Object.keys(await problems(body))).toEqual(['body']);
    },
  );

  it('validates an absent body as an empty object', async () => {
    expect(Object.keys(await problems(undefined))).toEqual(['providerId']);
  });

  it('leaves route parameters that are not DTOs alone', async () => {
    await expect(pipe.transform('abc', { type: 'param', metatype: String, data: 'id' })).resolves.toBe('abc');
  });
});
