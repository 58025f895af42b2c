import { TransactionHandle, UnitOfWork } from '@app/integrations';
import {
  BadRequestException,
  CallHandler,
  ConflictException,
  ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  NestInterceptor,
  UnprocessableEntityException,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyReply } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AuthenticatedRequest } from '../auth/authenticated-request';
import { singleHeader } from '../auth/authorization-header';
import { clientErrorResponse } from '../http/client-error';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_RESPONSE_HEADER,
  IDEMPOTENT_METHODS,
  idempotencyMessages,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  pathOf,
  requestDigest,
} from './idempotency-request';
import { IdempotencyFingerprints } from './idempotency-fingerprint';
import { IdempotentReplay } from './idempotent-replay';
import { IDEMPOTENCY_OPTIONS, IdempotencyOptions } from './idempotency.options';
import { IdempotencyScope, IdempotencyStore, StoredOutcome, UnreadableIdempotencyRecord } from './idempotency.store';
import { NOT_IDEMPOTENT } from './not-idempotent.decorator';

type Outcome = { kind: 'handled'; result: unknown } | { kind: 'stored'; response: IdempotentReplay };

/**
 * The `idempotency-key` contract (docs/contract.md §5) for POST/PATCH routes of authenticated callers.
 *
 * One database transaction per keyed request, joined by the use cases (`UnitOfWork.run` nests):
 * 1. a live stored outcome: same fingerprint → replay it, another → 422 (no lock needed); one that
 *    cannot be checked (its key was removed from the configuration) → 422 too, never re-run;
 * 2. `pg_try_advisory_xact_lock(org + key)`; not acquired → 409 in progress (`Retry-After: 1`),
 *    whichever instance holds it; acquired → look for a stored outcome again (as in 1);
 * 3. none: run the handler, store its status and body, commit both together. A client error (4xx)
 *    rolls the handler's writes back to a savepoint and stores the error outcome under the same
 *    lock; a 5xx or an unknown error rolls everything back and stores nothing (a retry may succeed).
 *    A crash rolls the transaction back: never an integration without its record or the reverse.
 *
 * Registered as the outermost global interceptor so it sees the enveloped body that is sent.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly store: IdempotencyStore,
    private readonly unitOfWork: UnitOfWork,
    @Inject(IDEMPOTENCY_OPTIONS) private readonly options: IdempotencyOptions,
    private readonly fingerprints: IdempotencyFingerprints,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    if (!IDEMPOTENT_METHODS.has(request.method.toUpperCase())) return next.handle();
    // Routes that write nothing (@NotIdempotent()): never stored, whatever the header says.
    if (Reflect.getMetadata(NOT_IDEMPOTENT, context.getHandler()) === true) return next.handle();
    const key = singleHeader(request.headers[IDEMPOTENCY_KEY_HEADER]);
    // No key, or a route without a caller (no organization to scope the key to): plain request.
    if (key === undefined || !request.actor) return next.handle();
    if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw new BadRequestException(idempotencyMessages.tooLong(key));

    const reply = http.getResponse<FastifyReply>();
    void reply.header(IDEMPOTENCY_KEY_RESPONSE_HEADER, key);
    const path = pathOf(request.url);
    const scope: IdempotencyScope = { organizationId: request.actor.organizationId, key };
    // The digest is computed once; only its keyed form (HMAC) is ever stored.
    const digest = requestDigest({
      method: request.method,
      path,
      environmentId: request.actor.environmentId,
      body: request.body,
    });
    const successStatus = this.successStatus(context, request.method);
    return from(this.process(scope, digest, path, successStatus, reply, next));
  }

  private async process(
    scope: IdempotencyScope,
    digest: Buffer,
    path: string,
    successStatus: number,
    reply: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    const outcome = await this.unitOfWork.run(async (transaction): Promise<Outcome> => {
      // A finished key answers without the lock (a replay never looks "in progress"); otherwise
      // lock, and look again: the holder may have committed in between.
      const finished = await this.findLive(transaction, scope);
      if (finished) return this.answerFromStore(finished, digest, scope);
      if (!(await this.store.tryLock(transaction, scope))) {
        void reply.header('Retry-After', '1');
        throw new ConflictException(idempotencyMessages.inProgress(scope.key));
      }
      const stored = await this.findLive(transaction, scope);
      if (stored) return this.answerFromStore(stored, digest, scope);

      const fingerprint = this.fingerprints.sign(digest);
      const savepoint = await this.store.savepoint(transaction);
      try {
        // next.handle() is called here, inside the transaction's async context: the handler and
        // the use cases it calls join this transaction.
        const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await this.store.save(
          transaction,
          scope,
          { fingerprint, statusCode: successStatus, body: JSON.stringify(result) ?? 'null' },
          this.options.ttlMs,
        );
        return { kind: 'handled', result };
      } catch (error) {
        const clientError = clientErrorResponse(error, path);
        if (!clientError) throw error; // 5xx: roll back, store nothing
        await savepoint.rollback();
        const stored = { fingerprint, statusCode: clientError.status, body: JSON.stringify(clientError.body) };
        await this.store.save(transaction, scope, stored, this.options.ttlMs);
        // Answered with the stored bytes, so the first answer and its replays are identical.
        return { kind: 'stored', response: new IdempotentReplay(stored, false) };
      }
    });
    if (outcome.kind === 'stored') throw outcome.response;
    return outcome.result;
  }

  private async findLive(transaction: TransactionHandle, scope: IdempotencyScope): Promise<StoredOutcome | undefined> {
    try {
      return await this.store.findLive(transaction, scope);
    } catch (error) {
      if (!(error instanceof UnreadableIdempotencyRecord)) throw error;
      this.unverifiable(scope, error.keyId);
    }
  }

  private answerFromStore(stored: StoredOutcome, digest: Buffer, scope: IdempotencyScope): Outcome {
    const verdict = this.fingerprints.verify(digest, stored.fingerprint);
    if (verdict === 'unknown-key') this.unverifiable(scope, stored.fingerprint.keyId);
    if (verdict !== 'match') throw new UnprocessableEntityException(idempotencyMessages.bodyMismatch(scope.key));
    return { kind: 'stored', response: new IdempotentReplay(stored) };
  }

  /**
   * A live record whose key is no longer configured: it can be neither checked nor replayed, and
   * running the request again could create twice. 422 until it expires; the operator is told why.
   */
  private unverifiable(scope: IdempotencyScope, keyId: string | null): never {
    this.logger.warn(
      `A live idempotency record of organization ${scope.organizationId} cannot be verified (key id ${keyId === null ? 'none' : `"${keyId}"`}):` +
        ' its key is no longer in ENCRYPTION_KEYS (keep a rotated-out key listed for 24 hours after the switch) or the row was altered',
    );
    throw new UnprocessableEntityException(idempotencyMessages.unverifiable(scope.key));
  }

  /** The status Nest will send for a successful result: `@HttpCode`, else 201 for POST, 200 otherwise. */
  private successStatus(context: ExecutionContext, method: string): number {
    const declared = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined;
    return declared ?? (method.toUpperCase() === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
  }
}
