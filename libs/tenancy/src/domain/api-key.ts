/**
 * An API key of one environment. Only the SHA-256 hash of its secret is ever stored; the secret is
 * shown once, when the key is created.
 */
export interface ApiKey {
  readonly id: string;
  readonly environmentId: string;
  /** Lower-case hex SHA-256 of the secret. */
  readonly keyHash: string;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
}

/** Who an accepted API key speaks for. */
export interface ApiKeyPrincipal {
  readonly apiKeyId: string;
  readonly organizationId: string;
  readonly environmentId: string;
}

/** What an operator sees of a key (never its secret nor its hash). */
export interface ApiKeySummary {
  readonly id: string;
  readonly environmentId: string;
  readonly environmentName: string;
  readonly createdAt: Date;
  /** To the minute; absent until the key is first used. */
  readonly lastUsedAt?: Date;
  readonly revokedAt?: Date;
}
