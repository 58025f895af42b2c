import { EnvironmentScope, Integration } from '../../domain/integration';
import { IntegrationError } from '../../domain/integration.errors';
import { Actor } from '../actor';
import { EnvironmentDirectory } from '../ports/environment-directory';
import { IntegrationRepository } from '../ports/integration.repository';

/**
 * Whether the host confirmed its actors' environments: it authenticated each caller in
 * `actor.environmentId` of `actor.organizationId` (the API does: an API key's row names its
 * environment, a session's environment is looked up by its guard). Then the actor's own environment
 * is not looked up again; one deleted meanwhile (behind a cached API key) is refused by the host's
 * foreign key from integrations to its environments (`fk_integrations_environment`), also a 404.
 * Set from `IntegrationsModuleOptions.actorEnvironmentsConfirmed`; default: every target is looked up.
 */
export class ActorEnvironments {
  constructor(readonly confirmedByHost = false) {}
}

/**
 * The environment a request acts in (docs/contract.md §2): an API key only in its own environment
 * (403 otherwise); a session user in any environment of its organization (404 otherwise).
 */
export async function resolveTargetEnvironment(
  environments: EnvironmentDirectory,
  actor: Actor,
  requestedEnvironmentId: string | undefined,
  actorEnvironments: ActorEnvironments = new ActorEnvironments(),
): Promise<EnvironmentScope> {
  const environmentId = requestedEnvironmentId ?? actor.environmentId;
  if (actor.kind === 'api-key' && environmentId !== actor.environmentId) {
    throw IntegrationError.environmentForbidden();
  }
  if (actorEnvironments.confirmedByHost && environmentId === actor.environmentId) {
    return { organizationId: actor.organizationId, environmentId };
  }
  const environment = await environments.find(environmentId);
  if (!environment || environment.organizationId !== actor.organizationId) {
    throw IntegrationError.environmentNotFound(environmentId);
  }
  return { organizationId: environment.organizationId, environmentId: environment.id };
}

/**
 * The integration an actor wants to change: 404 when the organization has no such (non-deleted)
 * integration, 403 when an API key reaches into another environment.
 */
export async function findWritableIntegration(
  integrations: IntegrationRepository,
  actor: Actor,
  integrationId: string,
): Promise<Integration> {
  const integration = await integrations.findById(actor.organizationId, integrationId);
  if (!integration) throw IntegrationError.integrationNotFound(integrationId);
  if (actor.kind === 'api-key' && integration.environmentId !== actor.environmentId) {
    throw IntegrationError.environmentForbidden();
  }
  return integration;
}
