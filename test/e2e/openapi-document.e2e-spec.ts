import reference from '../fixtures/reference-openapi-integrations.json';
import { startTestApp, TestApp } from '../support/test-app';

type Schema = { properties?: Record<string, any>; enum?: unknown[]; allOf?: Schema[]; $ref?: string };
type Document = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, any> };
};

const referenceDocument = reference as unknown as Document;
const SCHEMAS = [
  'IntegrationResponseDto',
  'CredentialsDto',
  'ConfigurationsDto',
  'StepFilterDto',
  'FieldFilterPartDto',
  'ErrorDto',
  'ValidationErrorDto',
  'CreateIntegrationRequestDto',
  'UpdateIntegrationRequestDto',
];

/**
 * Our OpenAPI document (GET /api-json) must describe every request and response field of the
 * reference extract Novu publishes for its SDKs (test/fixtures, a copy of the reference extract docs/contract.md names).
 */
describe('OpenAPI document at /api-json', () => {
  let testApp: TestApp;
  let document: Document;

  beforeAll(async () => {
    testApp = await startTestApp();
    const response = await fetch(`${testApp.baseUrl}/api-json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
  });

  afterAll(async () => {
    await testApp?.close();
  });

  function resolve(schema: Schema | undefined, doc: Document): Schema {
    if (!schema) return {};
    if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop()!], doc);
    if (schema.allOf) return schema.allOf.reduce<Schema>((acc, part) => ({ ...acc, ...resolve(part, doc) }), {});
    return schema;
  }

  it.each(SCHEMAS)('%s has every property of the reference', (name) => {
    const expected = Object.keys(referenceDocument.components.schemas[name].properties ?? {});
    const ours = Object.keys(resolve(document.components.schemas[name], document).properties ?? {});
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.filter((property) => !ours.includes(property))).toEqual([]);
  });

  it('keeps every enum value of the reference on the integration fields', () => {
    const checks: [string, string][] = [
      ['CreateIntegrationRequestDto', 'channel'],
      ['CreateIntegrationRequestDto', 'kind'],
      ['IntegrationResponseDto', 'channel'],
      ['FieldFilterPartDto', 'operator'],
      ['FieldFilterPartDto', 'on'],
      ['StepFilterDto', 'value'],
    ];
    for (const [schema, property] of checks) {
      const expected: unknown[] = resolve(referenceDocument.components.schemas[schema].properties![property], referenceDocument).enum ?? [];
      const ours: unknown[] = resolve(document.components.schemas[schema].properties![property], document).enum ?? [];
      expect({ schema, property, missing: expected.filter((value) => !ours.includes(value)) }).toEqual({ schema, property, missing: [] });
    }
  });

  it('has the six routes with the reference operation ids and the SDK method names', () => {
    const sdkNames: Record<string, string> = {
      IntegrationsController_listIntegrations: 'list',
      IntegrationsController_createIntegration: 'create',
      IntegrationsController_getActiveIntegrations: 'listActive',
      IntegrationsController_updateIntegrationById: 'update',
      IntegrationsController_removeIntegration: 'delete',
      IntegrationsController_setIntegrationAsPrimary: 'setAsPrimary',
    };
    for (const [path, operations] of Object.entries(referenceDocument.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const ours = document.paths[path]?.[method];
        expect({ path, method, operationId: ours?.operationId }).toEqual({ path, method, operationId: operation.operationId });
        expect(ours['x-speakeasy-name-override']).toBe(sdkNames[operation.operationId]);
      }
    }
  });

  /** Every example (media-type `example`, each of `examples`) of every response of every operation. */
  function responseExamples(): { where: string; status: number; example: any }[] {
    const found: { where: string; status: number; example: any }[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries<any>(operation.responses ?? {})) {
          for (const [mediaType, media] of Object.entries<any>(response.content ?? {})) {
            const where = `${method.toUpperCase()} ${path} ${status} ${mediaType}`;
            if (media.example !== undefined) found.push({ where, status: Number(status), example: media.example });
            for (const [name, example] of Object.entries<any>(media.examples ?? {})) {
              found.push({ where: `${where} (${name})`, status: Number(status), example: example.value });
            }
          }
        }
      }
    }
    return found;
  }

  function keysStartingWithAdditionalProp(value: unknown, path = ''): string[] {
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => [
      ...(key.startsWith('additionalProp') ? [`${path}${key}`] : []),
      ...keysStartingWithAdditionalProp(child, `${path}${key}.`),
    ]);
  }

  it('gives every error response of every operation its own example: matching statusCode, errorId only on 500', () => {
    let errorResponses = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries<any>(operation.responses ?? {})) {
          if (Number(status) < 400) continue;
          errorResponses += 1;
          const where = `${method.toUpperCase()} ${path} ${status}`;
          const example = response.content?.['application/json']?.example;
          expect({ where, hasExample: example !== undefined }).toEqual({ where, hasExample: true });
          expect({ where, statusCode: example.statusCode }).toEqual({ where, statusCode: Number(status) });
          expect({ where, hasErrorId: 'errorId' in example }).toEqual({ where, hasErrorId: status === '500' });
          expect({ where, message: typeof example.message, error: example.error, path: typeof example.path }).toEqual({
            where,
            message: 'string',
            error: expect.any(String),
            path: 'string',
          });
          expect(example.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
          if (status === '422')
            expect({ where, message: example.message, errors: typeof example.errors }).toEqual({
              where,
              message: 'Validation Error',
              errors: 'object',
            });
        }
      }
    }
    // Six operations, each with at least the shared error statuses.
    expect(errorResponses).toBeGreaterThanOrEqual(6 * 9);
  });

  it('gives error examples plausible, distinct messages and reason phrases per status', () => {
    const create = document.paths['/v1/integrations'].post.responses;
    const reasons: Record<string, string> = {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      409: 'Conflict',
      413: 'Payload Too Large',
      415: 'Unsupported Media Type',
      422: 'Unprocessable Entity',
      500: 'Internal Server Error',
    };
    for (const [status, reason] of Object.entries(reasons)) {
      expect({ status, error: create[status]?.content?.['application/json']?.example?.error }).toEqual({ status, error: reason });
    }
    const messages = Object.keys(reasons).map((status) => create[status].content['application/json'].example.message);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('has no invented additionalProp keys anywhere in the examples', () => {
    const examples = responseExamples();
    expect(examples.length).toBeGreaterThan(0);
    for (const { where, example } of examples) {
      expect({ where, keys: keysStartingWithAdditionalProp(example) }).toEqual({ where, keys: [] });
    }
    // And the examples the schemas carry themselves (property `example`s at any depth).
    const schemaExamples: unknown[] = [];
    const collect = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
        if (key === 'example') schemaExamples.push(child);
        else collect(child);
      }
    };
    collect(document.components.schemas);
    expect(schemaExamples.length).toBeGreaterThan(0);
    expect(schemaExamples.flatMap((example) => keysStartingWithAdditionalProp(example))).toEqual([]);
  });

  it('leaves Swagger UI nothing to invent: a response without its own example has no free-form object without one', () => {
    // Swagger UI fills an `additionalProperties: true` object that has no example with
    // `additionalProp1..3`; an example at the response or the property level stops that.
    const inventedAt = (schema: any, seen: Set<string>, where: string): string[] => {
      if (!schema || typeof schema !== 'object' || schema.example !== undefined) return [];
      if (schema.$ref) {
        const name = schema.$ref.split('/').pop();
        if (seen.has(name)) return [];
        return inventedAt(document.components.schemas[name], new Set([...seen, name]), where);
      }
      const found: string[] = [];
      if (schema.additionalProperties === true && !schema.properties) found.push(where);
      for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])])
        found.push(...inventedAt(part, seen, where));
      if (schema.items) found.push(...inventedAt(schema.items, seen, `${where}[]`));
      for (const [name, property] of Object.entries<any>(schema.properties ?? {}))
        found.push(...inventedAt(property, seen, `${where}.${name}`));
      if (typeof schema.additionalProperties === 'object') found.push(...inventedAt(schema.additionalProperties, seen, `${where}.*`));
      return found;
    };
    const invented: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries<any>(operation.responses ?? {})) {
          for (const media of Object.values<any>(response.content ?? {})) {
            if (media.example !== undefined || media.examples !== undefined) continue;
            invented.push(...inventedAt(media.schema, new Set(), `${method.toUpperCase()} ${path} ${status}`));
          }
        }
      }
    }
    expect(invented).toEqual([]);
  });

  it('shows, as the 201 example of create, what an API-key caller gets: credentials {} and no signing key', () => {
    const example = document.paths['/v1/integrations'].post.responses['201']?.content?.['application/json']?.example;
    expect(example).toBeDefined();
    expect(Object.keys(example)).toEqual(['data']);
    expect(example.data.credentials).toEqual({});
    expect(example.data.configurations).not.toHaveProperty('inboundWebhookSigningKey');
    expect(example.data).toMatchObject({
      _environmentId: expect.any(String),
      providerId: expect.any(String),
      primary: expect.any(Boolean),
    });
  });

  it('documents the ApiKey security scheme for the Authorize button', () => {
    const scheme = document.components.securitySchemes?.secretKey;
    expect(scheme).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    expect(scheme.description).toContain('ApiKey');
  });
});
