import { ApiKeyRecord } from './api-key.record';
import { EnvironmentRecord } from './environment.record';
import { CreateTenancy1764000000000 } from './migrations/1764000000000-create-tenancy';
import { ApiKeyLastUsed1764100000000 } from './migrations/1764100000000-api-key-last-used';
import { OrganizationRecord } from './organization.record';
import { UserRecord } from './user.record';

/** Register these with the host's TypeOrmModule.forRoot / DataSource. */
export const tenancyEntities = [OrganizationRecord, EnvironmentRecord, ApiKeyRecord, UserRecord];

/** Run these before the integrations migrations (which reference `environments(id)`). */
export const tenancyMigrations = [CreateTenancy1764000000000, ApiKeyLastUsed1764100000000];
