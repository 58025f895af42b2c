import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IntegrationsModule } from '@app/integrations';
import { TenancyModule } from '@app/tenancy';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { dataSourceOptions } from './database/data-source-options';
import { HealthModule } from './health/health.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { IntegrationsHttpModule } from './integrations/integrations-http.module';

/** The API application. Build it with the validated configuration: `AppModule.forRoot(config)`. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, {}, config.database)),
        // Global, so that IntegrationsHttpModule's controller and guard can inject the use cases.
        {
          ...IntegrationsModule.forRoot({
            encryptionKeys: config.encryptionKeys,
            novuDemoProviders: config.novuDemoProviders,
            outboundUrls: config.outboundUrls,
            credentialsCheck: config.credentialsCheck,
          }),
          global: true,
        },
        TenancyModule.forRoot({
          jwtSecret: config.jwtSecret,
          sessionTokenTtlSeconds: config.sessionTokenTtlSeconds,
          apiKeyCacheTtlMs: config.apiKeyCacheTtlMs,
          isGlobal: true,
        }),
        IntegrationsHttpModule,
        IdempotencyModule.forRoot({ fingerprintKeys: config.encryptionKeys }),
        HealthModule,
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
