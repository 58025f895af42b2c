/** A tenant: owns environments and users. */
export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
}

export const DEFAULT_ORGANIZATION_NAME = 'My Organization';
