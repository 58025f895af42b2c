import { StepFilter } from '../../domain/conditions';
import { Configurations, Credentials } from '../../domain/integration';
import { Actor } from '../actor';

/** PUT /v1/integrations/{id}: every field optional, but at least one must be given. */
export interface UpdateIntegrationCommand {
  readonly actor: Actor;
  readonly integrationId: string;
  readonly name?: string;
  readonly identifier?: string;
  /** When given, must be the integration's own environment (integrations do not move). */
  readonly environmentId?: string;
  readonly active?: boolean;
  /** Replaces the stored credential set. */
  readonly credentials?: Credentials;
  readonly check?: boolean;
  readonly conditions?: readonly StepFilter[];
  readonly configurations?: Configurations;
}
