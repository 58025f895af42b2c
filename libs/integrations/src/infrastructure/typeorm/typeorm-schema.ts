import { IntegrationRecord } from './integration.record';
import { CreateIntegrations1764000001000 } from './migrations/1764000001000-create-integrations';

/** Entities the host registers in its `TypeOrmModule.forRoot({ entities })`. */
export const integrationsEntities = [IntegrationRecord];

/** Migrations the host runs (after the tenancy library's, which create `environments`). */
export const integrationsMigrations = [CreateIntegrations1764000001000];
