import { DefaultEnvironmentName } from '../../domain/environment';

/** What to create for a new organization; ids are chosen by the repository. */
export interface OrganizationProvisioning {
  readonly organizationName: string;
  /** Created in this order, each with one API key whose hash is given. */
  readonly environments: readonly { readonly name: DefaultEnvironmentName; readonly apiKeyHash: string }[];
  readonly user: { readonly email?: string };
}

export interface ProvisionedOrganization {
  readonly organizationId: string;
  /** Same order as requested. */
  readonly environments: readonly { readonly name: DefaultEnvironmentName; readonly id: string; readonly apiKeyId: string }[];
  readonly userId: string;
}

export abstract class OrganizationRepository {
  /** Creates the organization, its environments, their API keys and the user in one transaction. */
  abstract provision(plan: OrganizationProvisioning): Promise<ProvisionedOrganization>;

  abstract count(): Promise<number>;
}
