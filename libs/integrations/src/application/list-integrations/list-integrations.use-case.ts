import { Injectable } from '@nestjs/common';
import { Integration } from '../../domain/integration';
import { Actor } from '../actor';
import { IntegrationRepository } from '../ports/integration.repository';

export interface ListIntegrationsCommand {
  readonly actor: Actor;
  /** Only `active: true` integrations (GET /v1/integrations/active). */
  readonly activeOnly?: boolean;
  /**
   * Whether the caller will see credential values (default true). When false they are not even
   * decrypted: `credentials` is `{}` and the webhook signing key is absent.
   */
  readonly includeSecrets?: boolean;
}

/** Session users see their whole organization; API keys see their own environment (docs/contract.md §4). */
@Injectable()
export class ListIntegrations {
  constructor(private readonly integrations: IntegrationRepository) {}

  execute(command: ListIntegrationsCommand): Promise<Integration[]> {
    const { actor, activeOnly } = command;
    const filter = { activeOnly, withoutSecrets: command.includeSecrets === false };
    if (actor.kind === 'session') return this.integrations.listByOrganization(actor.organizationId, filter);
    return this.integrations.listByEnvironment(actor, filter);
  }
}
