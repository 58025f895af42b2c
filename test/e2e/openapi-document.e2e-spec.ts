import reference from '../fixtures/reference-openapi-integrations.json';
import { startTestApp, TestApp } from '../support/test-app';

type Schema = { properties?: Record<string, any>; enum?: unknown[]; allOf?: Schema[]; $ref?: string };
type Document = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, any> } };

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
 * reference extract Novu publishes for its SDKs (test/fixtures, copied from shared/spec).
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

  it('documents the ApiKey security scheme for the Authorize button', () => {
    const scheme = document.components.securitySchemes?.secretKey;
    expect(scheme).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    expect(scheme.description).toContain('ApiKey');
  });
});
