export interface BootstrapOrganizationCommand {
  /** Default "My Organization". */
  readonly organizationName?: string;
}
