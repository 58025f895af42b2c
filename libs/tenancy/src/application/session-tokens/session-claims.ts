/** What a session token says, once verified. */
export interface SessionClaims {
  /** `sub` */
  readonly userId: string;
  /** `org` */
  readonly organizationId: string;
  /** `env`: the default environment of the session. */
  readonly environmentId: string;
  /** `iat`, seconds since the epoch. */
  readonly issuedAt: number;
  /** `exp`, seconds since the epoch. */
  readonly expiresAt: number;
}

export interface SessionSubject {
  readonly userId: string;
  readonly organizationId: string;
  readonly environmentId: string;
}
