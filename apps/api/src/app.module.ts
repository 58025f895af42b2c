import { DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IntegrationsModule } from '@app/integrations';
import { TenancyModule } from '@app/tenancy';
import { AppConfig } from './config/app-config';
import { dataSourceOptions } from './database/data-source-options';
import { migrationDataSourceOptions, runMigrationsSerialised } from './database/serialised-migrations';
import { ensureStatementTimeoutDefault } from './database/statement-timeout-default';
import { HealthModule } from './health/health.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { IntegrationsHttpModule } from './integrations/integrations-http.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { MetricsModule } from './metrics/metrics.module';
import { ServiceMetrics } from './metrics/service-metrics';

/**
 * The API application. Build it with the validated configuration: `AppModule.forRoot(config)`.
 *
 * Each library is configured here exactly once, and that one module object is handed to every
 * feature module that uses it, which imports it. Nest identifies a dynamic module by its metadata
 * (the options and the random id `ConfigurableModuleBuilder` gives each `forRoot` call), so the
 * same object imported in several places is one instance (one API-key cache, one cipher), while a
 * second `forRoot` call would be a second instance. Nothing is global but TypeORM's own core
 * module (the DataSource).
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    // One metrics registry per app; the libraries only see its observers (their own ports).
    const metrics = new ServiceMetrics();
    const integrations = IntegrationsModule.forRoot({
      encryptionKeys: config.encryptionKeys,
      novuDemoProviders: config.novuDemoProviders,
      outboundUrls: config.outboundUrls,
      credentialsCheck: config.credentialsCheck,
      credentialsCheckObserver: metrics.observers.credentialsChecks,
      // The guard authenticates every actor in its environment, and the API's migration adds the
      // integrations → environments foreign key: the library skips looking that environment up.
      actorEnvironmentsConfirmed: true,
      ...(config.selectionCacheTtlMs !== undefined ? { selectionCache: { ttlMs: config.selectionCacheTtlMs } } : {}),
      ...(config.databaseDirectUrl !== undefined ? { listenConnectionUrl: config.databaseDirectUrl } : {}),
    });
    const tenancy = TenancyModule.forRoot({
      jwtSecret: config.jwtSecret,
      previousJwtSecrets: config.previousJwtSecrets,
      sessionTokenTtlSeconds: config.sessionTokenTtlSeconds,
      apiKeyCacheTtlMs: config.apiKeyCacheTtlMs,
      apiKeyLookupObserver: metrics.observers.apiKeyLookups,
      ...(config.databaseDirectUrl !== undefined ? { listenConnectionUrl: config.databaseDirectUrl } : {}),
    });
    const rateLimits = RateLimitModule.forRoot(config.rateLimits);
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRootAsync({
          // Before the pool opens, so that its sessions start with the role's statement_timeout
          // (README "Behind PgBouncer"): over the direct connection, as DATABASE_URL may be a pooler.
          useFactory: async () => {
            await ensureStatementTimeoutDefault({
              url: config.databaseDirectUrl ?? config.databaseUrl,
              statementTimeoutMs: config.database.statementTimeoutMs,
              connectTimeoutMs: config.database.connectTimeoutMs,
              log: new Logger('Database'),
            });
            // Migrations run below, one instance at a time, not by TypeORM's unlocked `migrationsRun`.
            return dataSourceOptions(config.databaseUrl, { migrationsRun: false }, config.database);
          },
          dataSourceFactory: async (options) => {
            // On a connection of its own, with the migrations' timeouts, then the service's pool.
            const migrator = await new DataSource(migrationDataSourceOptions(options!)).initialize();
            try {
              await runMigrationsSerialised(migrator);
            } finally {
              await migrator.destroy().catch(() => undefined);
            }
            return new DataSource(options!).initialize();
          },
        }),
        // Imported here too for hosts of the app's context without HTTP (the CLI, main.ts's first bootstrap).
        integrations,
        tenancy,
        IntegrationsHttpModule.register({ integrations, tenancy, rateLimits }),
        IdempotencyModule.forRoot({ integrations, fingerprintKeys: config.encryptionKeys, outcomes: metrics.observers.idempotency }),
        HealthModule.forRoot({ connectTimeoutMs: config.database.connectTimeoutMs }),
        MetricsModule.forRoot(metrics),
      ],
    };
  }
}
