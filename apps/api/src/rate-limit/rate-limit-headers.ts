/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers-11, §3 and §4), both Structured
 * Field Lists of one item whose value is a String naming the policy:
 *
 *     RateLimit-Policy: "writes";q=600;w=60     the quota q per window of w seconds
 *     RateLimit: "writes";r=599;t=60            r left, for the next t seconds
 *
 * A 429 also carries `Retry-After` (RFC 9110 §10.2.3), in whole seconds.
 */
export const RATE_LIMIT_POLICY_HEADER = 'RateLimit-Policy';
export const RATE_LIMIT_HEADER = 'RateLimit';
export const RETRY_AFTER_HEADER = 'Retry-After';

/** A policy's name: an sf-string holds printable ASCII, and we keep to names that need no escaping. */
const POLICY_NAME = /^[a-z][a-z0-9-]*$/;

export interface ServiceLimit {
  /** The policy's name, e.g. `reads`. */
  readonly policy: string;
  /** Its quota per window. */
  readonly quota: number;
  readonly windowSeconds: number;
  /** What is left of the quota now (never negative). */
  readonly remaining: number;
  /** Milliseconds until the window ends and the quota is whole again. */
  readonly resetMs: number;
}

export function policyField({ policy, quota, windowSeconds }: ServiceLimit): string {
  return `${policyName(policy)};q=${wholeNumber(quota)};w=${wholeNumber(windowSeconds)}`;
}

export function limitField(limit: ServiceLimit): string {
  return `${policyName(limit.policy)};r=${wholeNumber(limit.remaining)};t=${secondsUntilReset(limit.resetMs)}`;
}

/** Whole seconds, rounded up so that a client waiting that long finds the window renewed; at least 1. */
export function secondsUntilReset(resetMs: number): number {
  return Math.max(1, Math.ceil(resetMs / 1_000));
}

function policyName(name: string): string {
  if (!POLICY_NAME.test(name)) throw new RangeError(`"${name}" is not a rate-limit policy name`);
  return `"${name}"`;
}

function wholeNumber(value: number): number {
  return Math.max(0, Math.floor(value));
}
