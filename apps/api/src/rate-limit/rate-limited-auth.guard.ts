import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { AuthenticatedRequest } from '../auth/authenticated-request';
import { BudgetState } from './budget';
import {
  limitField,
  policyField,
  RATE_LIMIT_HEADER,
  RATE_LIMIT_POLICY_HEADER,
  RETRY_AFTER_HEADER,
  secondsUntilReset,
} from './rate-limit-headers';
import { RateLimits } from './rate-limits';
import { NOT_IDEMPOTENT } from '../idempotency/not-idempotent.decorator';

/** Methods that only read; every other method spends the writes budget. */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `ApiAuthGuard` inside the budgets of README "Rate limits":
 * 1. an address over its failed-authentication budget is answered 429 before its key or token is looked up;
 * 2. a 401 takes one point from that address's budget;
 * 3. an authenticated request takes one point from its caller's reads or writes budget (the caller
 *    is the API key, or the organization of a session token), and over it is answered 429.
 * Answers carry the budget's `RateLimit-Policy` and `RateLimit` fields; a 429 adds `Retry-After`.
 */
@Injectable()
export class RateLimitedAuthGuard implements CanActivate {
  constructor(
    private readonly auth: ApiAuthGuard,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.limits.enabled) return this.auth.canActivate(context);
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const reply = http.getResponse<FastifyReply>();

    const address = request.ip;
    const failures = await this.limits.failedAuth.peek(address);
    if (!failures.allowed) refuse(reply, failures, 'Too many failed authentication attempts from this address');

    try {
      await this.auth.canActivate(context);
    } catch (error) {
      if (error instanceof UnauthorizedException) announce(reply, await this.limits.failedAuth.consume(address));
      throw error;
    }

    // A POST that writes nothing (`@NotIdempotent()`, e.g. the selection route) spends the reads budget.
    const writesNothing = Reflect.getMetadata(NOT_IDEMPOTENT, context.getHandler()) === true;
    const budget = READ_METHODS.has(request.method) || writesNothing ? this.limits.reads : this.limits.writes;
    const state = await budget.consume(callerKey(request));
    if (!state.allowed) refuse(reply, state, `Too many ${state.policy} for this ${request.apiKeyId ? 'API key' : 'organization'}`);
    announce(reply, state);
    return true;
  }
}

/** The API key for key callers; the organization for session callers (all its users share one budget). */
function callerKey(request: AuthenticatedRequest): string {
  return request.apiKeyId ? `key:${request.apiKeyId}` : `org:${request.actor!.organizationId}`;
}

function announce(reply: FastifyReply, state: BudgetState): void {
  void reply.header(RATE_LIMIT_POLICY_HEADER, policyField(state)).header(RATE_LIMIT_HEADER, limitField(state));
}

/** 429 in the service's error shape (HttpExceptionFilter), with `Retry-After` and the RateLimit fields. */
function refuse(reply: FastifyReply, state: BudgetState, reason: string): never {
  const seconds = secondsUntilReset(state.resetMs);
  announce(reply, state);
  void reply.header(RETRY_AFTER_HEADER, String(seconds));
  throw new HttpException(`${reason}: retry in ${seconds} s`, HttpStatus.TOO_MANY_REQUESTS);
}
