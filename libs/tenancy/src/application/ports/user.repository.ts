import { User } from '../../domain/user';

/** Reads users. Callers pass canonical UUIDs only. */
export abstract class UserRepository {
  /** The user of this organization with this id; without an id, the organization's oldest user. */
  abstract findInOrganization(organizationId: string, userId?: string): Promise<User | undefined>;
}
