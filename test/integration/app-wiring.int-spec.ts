import { ModulesContainer } from '@nestjs/core';
import { CredentialsCipher, IntegrationsModule, UnitOfWork } from '@app/integrations';
import { AuthenticateApiKey, RevokeApiKey, TenancyModule } from '@app/tenancy';
import { AppModule } from '../../apps/api/src/app.module';
import { IdempotencyModule } from '../../apps/api/src/idempotency/idempotency.module';
import { IntegrationsHttpModule } from '../../apps/api/src/integrations/integrations-http.module';
import { ApiKeyCache } from '../../libs/tenancy/src/application/api-key-cache/api-key-cache';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * AppModule configures each library once and every feature module imports that module: one
 * instance of each per application (one API-key cache, one cipher, one unit of work).
 */
describe('AppModule wiring', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ apiKeyCacheTtlMs: 60_000 });
  });
  afterAll(async () => {
    await testApp?.close();
  });

  const instancesOf = (moduleClass: unknown) =>
    [...testApp.app.get(ModulesContainer).values()].filter((module) => module.metatype === moduleClass);

  it('holds exactly one instance of each library module, imported by every feature module that uses it', () => {
    const [integrations, ...moreIntegrations] = instancesOf(IntegrationsModule);
    const [tenancy, ...moreTenancy] = instancesOf(TenancyModule);
    expect(integrations).toBeDefined();
    expect(tenancy).toBeDefined();
    expect(moreIntegrations).toHaveLength(0);
    expect(moreTenancy).toHaveLength(0);

    const [http] = instancesOf(IntegrationsHttpModule);
    const [idempotency] = instancesOf(IdempotencyModule);
    const [root] = instancesOf(AppModule);
    expect([...http.imports]).toEqual(expect.arrayContaining([integrations, tenancy]));
    expect([...idempotency.imports]).toContain(integrations);
    expect([...root.imports]).toEqual(expect.arrayContaining([integrations, tenancy]));
  });

  it('holds one API-key cache, one cipher and one unit of work', () => {
    for (const token of [ApiKeyCache, CredentialsCipher, UnitOfWork, AuthenticateApiKey, RevokeApiKey]) {
      expect(testApp.app.get<unknown>(token, { strict: false, each: true })).toHaveLength(1);
    }
  });

  it('a key revoked by the use case the CLI runs is refused at once by the HTTP guard, whose cache held it', async () => {
    const { environments } = await testApp.bootstrap();
    const client = ApiClient.apiKey(testApp.baseUrl, environments[0].apiKey);
    expect((await client.get('/v1/integrations')).status).toBe(200); // now cached for a minute

    // The tenancy module the application context itself imports (the CLI's `revoke-key`).
    const [root] = instancesOf(AppModule);
    const tenancy = [...root.imports].find((module) => module.metatype === TenancyModule)!;
    const principal = await tenancy.getProviderByKey<AuthenticateApiKey>(AuthenticateApiKey).instance.execute(environments[0].apiKey);
    await tenancy.getProviderByKey<RevokeApiKey>(RevokeApiKey).instance.execute(principal!.apiKeyId);

    expect((await client.get('/v1/integrations')).status).toBe(401);
  });

  it('the health module answers with the timeout it was given (no global configuration)', async () => {
    const response = await new ApiClient(testApp.baseUrl).get('/health/ready');
    expect(response).toMatchObject({ status: 200, body: { status: 'ok', database: 'up' } });
  });
});
