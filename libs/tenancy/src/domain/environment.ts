/** The two environments every organization is created with, in creation order. */
export const DEFAULT_ENVIRONMENT_NAMES = ['Development', 'Production'] as const;
export type DefaultEnvironmentName = (typeof DEFAULT_ENVIRONMENT_NAMES)[number];

/** An isolated space of one organization (integrations, API keys live in one environment). */
export interface Environment {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
}
