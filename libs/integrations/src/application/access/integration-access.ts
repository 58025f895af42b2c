import { EnvironmentScope, Integration } from '../../domain/integration';
import { IntegrationError } from '../../domain/integration.errors';
import { Actor } from '../actor';
import { EnvironmentDirectory } from '../ports/environment-directory';
import { IntegrationRepository } from '../ports/integration.repository';

/**
 * The environment a request acts in (docs/contract.md §2): an API key only in its own environment
 * (403 otherwise); a session user in any environment of its organization (404 otherwise).
 */
export async function resolveTargetEnvironment(
  environments: EnvironmentDirectory,
  actor: Actor,
  requestedEnvironmentId: string | undefined,
): Promise<EnvironmentScope> {
  const environmentId = requestedEnvironmentId ?? actor.environmentId;
  if (actor.kind === 'api-key' && environmentId !== actor.environmentId) {
    throw IntegrationError.environmentForbidden();
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
