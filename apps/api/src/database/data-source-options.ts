import { DataSourceOptions } from 'typeorm';
import { integrationsEntities, integrationsMigrations } from '@app/integrations';
import { tenancyEntities, tenancyMigrations } from '@app/tenancy';

/** Every entity the API registers: the integrations library's and the tenancy library's. */
export const entities = [...integrationsEntities, ...tenancyEntities];

/** Tenancy first: the integrations tables reference `environments(id)`. */
export const migrations = [...tenancyMigrations, ...integrationsMigrations];

/**
 * The TypeORM options of the API (and of the test databases): migrations run on start-up,
 * never `synchronize`.
 */
export function dataSourceOptions(url: string, overrides: Partial<PostgresOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsRun: true,
    synchronize: false,
    logging: false,
    ...overrides,
  } as DataSourceOptions;
}

type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;
