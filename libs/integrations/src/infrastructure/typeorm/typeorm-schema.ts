import { IntegrationRecord } from './integration.record';
import { CreateIntegrations1764000001000 } from './migrations/1764000001000-create-integrations';
import { OrganizationInIntegrationKeys1764200000000 } from './migrations/1764200000000-organization-in-integration-keys';

/** Entities the host registers in its `TypeOrmModule.forRoot({ entities })`. */
export const integrationsEntities = [IntegrationRecord];

/**
 * Migrations the host runs. They reference no table of another context: a host backed by the tenancy
 * library runs the tenancy migrations too and may add the environments foreign key itself (as apps/api does).
 */
export const integrationsMigrations = [CreateIntegrations1764000001000, OrganizationInIntegrationKeys1764200000000];
