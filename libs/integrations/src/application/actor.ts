/** Who is calling a use case: an API key of one environment, or a signed-in user of an organization. */
export interface Actor {
  readonly kind: 'api-key' | 'session';
  readonly organizationId: string;
  /** The API key's environment, or the session's current environment. */
  readonly environmentId: string;
  /** The user, for session callers. */
  readonly userId?: string;
}
