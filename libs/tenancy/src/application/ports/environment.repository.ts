import { Environment } from '../../domain/environment';

/** Reads environments. Callers pass canonical UUIDs only. */
export abstract class EnvironmentRepository {
  abstract findInOrganization(organizationId: string, environmentId: string): Promise<Environment | undefined>;

  /** Any organization's environment, by id. */
  abstract findById(environmentId: string): Promise<Environment | undefined>;

  /** Oldest first. */
  abstract listForOrganization(organizationId: string): Promise<Environment[]>;
}
