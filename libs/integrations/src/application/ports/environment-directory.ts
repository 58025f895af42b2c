export interface EnvironmentRef {
  readonly id: string;
  readonly organizationId: string;
}

/** Read-only view of the tenancy context's environments. */
export abstract class EnvironmentDirectory {
  /** The environment with this id, or undefined (also for strings that are not valid ids). */
  abstract find(environmentId: string): Promise<EnvironmentRef | undefined>;
}
