/** A dashboard/session user of one organization. */
export interface User {
  readonly id: string;
  readonly organizationId: string;
  readonly email?: string;
  readonly createdAt: Date;
}
