import { ChannelType, Credentials, EnvironmentScope, Integration } from '../../domain/integration';
import { FieldProblems, IntegrationError } from '../../domain/integration.errors';
import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { compactPriorities, placeNewActiveIntegration } from '../../domain/primary-placement';
import { ProviderDescriptor } from '../../domain/provider-catalog';
import { Actor } from '../actor';
import { CredentialsVerifier } from '../ports/credentials-verifier';
import { EnvironmentDirectory } from '../ports/environment-directory';
import { IntegrationRepository } from '../ports/integration.repository';
import { OutboundUrlPolicy } from '../ports/outbound-url-policy';

/**
 * The environment a request acts in (spec §2): an API key only in its own environment (403
 * otherwise); a session user in any environment of its organization (404 otherwise).
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

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * An active integration must carry every required credential of its provider, non-empty. The
 * problem names the credential, never its value: even a blank one is part of a secret set.
 */
export function assertRequiredCredentials(provider: ProviderDescriptor, credentials: Credentials): void {
  const problems: FieldProblems = {};
  for (const key of provider.required) {
    if (isEmpty(credentials[key])) {
      problems[`credentials.${key}`] = { messages: [`credentials.${key} is required by ${provider.id} when the integration is active`] };
    }
  }
  if (Object.keys(problems).length > 0) throw IntegrationError.invalid(problems);
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

/** Renumbers the active integrations of a primary-capable channel after a change (lock held). */
export async function reorderActive(
  integrations: IntegrationRepository,
  scope: EnvironmentScope,
  channel: ChannelType,
): Promise<void> {
  const changes = compactPriorities(await integrations.listActivePriorities(scope, channel));
  if (changes.length > 0) await integrations.applyPlacements(scope, changes);
}

/**
 * Places an email/sms integration that becomes active among the active ones of its channel
 * (spec §3), moving the current top one up when needed. Sets `primary` and `priority` on it.
 */
export async function placeNewlyActive(
  integrations: IntegrationRepository,
  scope: EnvironmentScope,
  integration: Integration,
): Promise<void> {
  const highest = await integrations.findHighestPriorityActive(scope, integration.channel!);
  const placement = placeNewActiveIntegration(highest);
  if (highest && placement.bumpHighestTo !== undefined) {
    await integrations.applyPlacements(scope, [{ id: highest.id, primary: highest.primary, priority: placement.bumpHighestTo }]);
  }
  integration.primary = placement.primary;
  integration.priority = placement.priority;
}

/** What `check: true` did: verified with the provider, or saved unchecked (no verifier exists). */
export type CredentialsCheckOutcome = 'verified' | 'unsupported';

/**
 * Spec §3 step 5 and §6, before anything is saved: outbound URLs/hosts in the credentials must be
 * safe (422 naming each property), and with `check` the provider must accept the credentials (400
 * saying what failed). Runs outside any transaction: a check may take seconds.
 */
export async function vetCredentials(
  outboundUrls: OutboundUrlPolicy,
  verifier: CredentialsVerifier,
  providerId: string,
  credentials: Credentials,
  check: boolean,
): Promise<CredentialsCheckOutcome | undefined> {
  const problems = await outboundUrls.check(providerId, credentials);
  if (Object.keys(problems).length > 0) throw IntegrationError.invalid(problems);
  if (!check) return undefined;
  if (!verifier.supports(providerId)) return 'unsupported';
  try {
    await verifier.verify(providerId, credentials);
  } catch (error) {
    if (error instanceof CredentialsCheckFailed) {
      throw new IntegrationError('CREDENTIALS_CHECK_FAILED', error.message);
    }
    throw error;
  }
  return 'verified';
}
