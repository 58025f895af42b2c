import { Injectable } from '@nestjs/common';
import { OrganizationRepository } from '../ports/organization.repository';

@Injectable()
export class OrganizationsQuery {
  constructor(private readonly organizations: OrganizationRepository) {}

  /** How many organizations exist (e.g. to decide whether to bootstrap one on first start). */
  count(): Promise<number> {
    return this.organizations.count();
  }
}
