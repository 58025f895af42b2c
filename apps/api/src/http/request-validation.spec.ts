import { ArgumentMetadata } from '@nestjs/common';
import { ValidationError } from 'class-validator';
import { CreateIntegrationRequestDto } from '../integrations/dto/create-integration.request.dto';
import { ApiValidationPipe } from './api-validation.pipe';
import { flattenValidationErrors, RequestValidationException } from './request-validation';

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
      'configurations.inbox': { messages: ['property inbox should not exist'], value: 'x' },
    });
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
      conditions: [{ isNegated: false, type: 'GROUP', value: 'OR', children: [{ field: 'plan', value: 'pro', operator: 'IS_DEFINED', on: 'tenant' }] }],
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

  it.each([[[]], [[{ providerId: 'sendgrid' }]], ['text'], [42], [null], [true]])('refuses the non-object body %p with a 422', async (body) => {
    expect(Object.keys(await problems(body))).toEqual(['body']);
  });

  it('validates an absent body as an empty object', async () => {
    expect(Object.keys(await problems(undefined))).toEqual(['providerId']);
  });

  it('leaves route parameters that are not DTOs alone', async () => {
    await expect(pipe.transform('abc', { type: 'param', metatype: String, data: 'id' })).resolves.toBe('abc');
  });
});
