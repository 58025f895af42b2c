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
import { IdempotencyOutcomes } from './idempotency-outcomes';
import { IdempotentReplay } from './idempotent-replay';
import { IDEMPOTENCY_OPTIONS, IdempotencyOptions } from './idempotency.options';
import { IdempotencyScope, IdempotencyStore, Savepoint, StoredOutcome, UnreadableIdempotencyRecord } from './idempotency.store';
import { NOT_IDEMPOTENT } from './not-idempotent.decorator';

/**
 * The keyed transaction began but the key is not this request's to run: another request holds its
 * lock (409), or finished it meanwhile (replay or 422), or the lookup failed. Thrown out of the use
 * case's `UnitOfWork.run` (which does not catch it); carries the answer to send unchanged. Never
 * reaches a filter: the interceptor unwraps it.
 */
class KeyUnavailable extends Error {
  constructor(readonly answer: unknown) {
    super('idempotency key unavailable');
    this.name = 'KeyUnavailable';
  }
}

/**
 * The `idempotency-key` contract (docs/contract.md §5) for POST/PATCH routes of authenticated callers.
 *
 * One database transaction per keyed request, begun late: the handler runs in a deferred scope
 * (`UnitOfWork.runDeferred`) whose transaction the use case's first `UnitOfWork.run` begins, after
 * its slow work (credentials check, DNS lookups of outbound URLs), so a keyed request holds no
 * pooled connection while it waits on a provider:
 * 1. a live stored outcome (a one-statement read, no lock): same fingerprint → replay it, another →
 *    422; one that cannot be checked (its key was removed from the configuration) → 422 too, never
 *    re-run;
 * 2. the handler runs. When the transaction begins: `pg_try_advisory_xact_lock(org + key)`; not
 *    acquired → 409 in progress (`Retry-After: 1`), whichever instance holds it; acquired → look
 *    for a stored outcome again (as in 1: another request may have finished meanwhile), then a
 *    savepoint, then the use case's writes, which stay uncommitted. These answers travel out of the
 *    use case's `run` unchanged and are never stored;
 * 3. the handler's status and body are stored in that transaction and both commit together (a
 *    handler that never began it — it failed validation, or wrote nothing — gets a short one here:
 *    lock, look again, store). A client error (4xx) rolls the handler's writes back to the
 *    savepoint and stores the error outcome under the same lock; a 5xx or an unknown error rolls
 *    everything back and stores nothing (a retry may succeed). A crash rolls the transaction back:
 *    never an integration without its record or the reverse.
 * Identical concurrent requests all pass their checks (read-only) before one takes the lock; the
 * others get 409 or, once it committed, the replay: exactly one of them writes.
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
    private readonly outcomes: IdempotencyOutcomes,
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
    // 1. A finished key answers without the lock (a replay never looks "in progress"), from one
    // auto-commit statement that holds no connection afterwards.
    const finished = await this.unitOfWork.runStatement((transaction) => this.findLive(transaction, scope));
    if (finished) throw this.answerFromStore(finished, digest, scope);

    const fingerprint = this.fingerprints.sign(digest);
    let savepoint: Savepoint | undefined;
    // 2. Runs in the keyed transaction as soon as it begins: lock, look again (the holder may have
    // committed in between), savepoint — sent together with BEGIN, and the use case's first
    // statements right behind them (one round trip; each statement sees what committed before it
    // ran, so the second look comes after the lock). Whatever it throws travels out of the use
    // case's `run` as a `KeyUnavailable`, answered below as it is and never stored; the use case's
    // statements sent behind it roll back with the transaction.
    const onBegin = async (transaction: TransactionHandle): Promise<void> => {
      const [locked, stored, taken] = await Promise.allSettled([
        this.store.tryLock(transaction, scope),
        this.store.findLive(transaction, scope),
        this.store.savepoint(transaction),
      ]);
      try {
        if (locked.status === 'rejected') throw locked.reason;
        if (!locked.value) {
          void reply.header('Retry-After', '1');
          this.outcomes.record('in-progress');
          throw new ConflictException(idempotencyMessages.inProgress(scope.key));
        }
        const outcome = this.readable(stored, scope);
        if (outcome) throw this.answerFromStore(outcome, digest, scope);
        if (taken.status === 'rejected') throw taken.reason;
        savepoint = taken.value;
      } catch (answer) {
        throw new KeyUnavailable(answer);
      }
    };
    try {
      return await this.unitOfWork.runDeferred(
        onBegin,
        async (deferred) => {
          let result: unknown;
          try {
            // next.handle() is called here, inside the deferred scope: the first `UnitOfWork.run` of
            // the use case begins the keyed transaction, after its slow checks, and the writes stay
            // uncommitted until the outcome is stored next to them.
            result = await lastValueFrom(next.handle(), { defaultValue: undefined });
          } catch (error) {
            if (error instanceof KeyUnavailable) throw error;
            const clientError = clientErrorResponse(error, path);
            if (!clientError) throw error; // 5xx: the scope rolls back, nothing is stored
            // 3b. Begun by the handler, or now (the handler failed before its first write).
            await deferred.open();
            await savepoint!.rollback();
            const stored = { fingerprint, statusCode: clientError.status, body: JSON.stringify(clientError.body) };
            // Stored by the transaction's last statements, sent with its COMMIT.
            await deferred.commit((transaction) => this.store.save(transaction, scope, stored, this.options.ttlMs));
            this.outcomes.record('stored'); // counted once committed: a rolled-back outcome was not stored
            // Answered with the stored bytes, so the first answer and its replays are identical.
            throw new IdempotentReplay(stored, false);
          }
          // 3a. Begun by the handler, or now (a handler that wrote nothing).
          await deferred.open();
          const outcome = { fingerprint, statusCode: successStatus, body: JSON.stringify(result) ?? 'null' };
          await deferred.commit((transaction) => this.store.save(transaction, scope, outcome, this.options.ttlMs));
          this.outcomes.record('stored');
          return result;
        },
        { overlapBegin: true },
      );
    } catch (error) {
      throw error instanceof KeyUnavailable ? error.answer : error;
    }
  }

  private async findLive(transaction: TransactionHandle, scope: IdempotencyScope): Promise<StoredOutcome | undefined> {
    return this.readable(await Promise.allSettled([this.store.findLive(transaction, scope)]).then(([settled]) => settled), scope);
  }

  /** A lookup's stored outcome; a record that cannot be read is 422 (see `unverifiable`). */
  private readable(lookup: PromiseSettledResult<StoredOutcome | undefined>, scope: IdempotencyScope): StoredOutcome | undefined {
    if (lookup.status === 'fulfilled') return lookup.value;
    if (!(lookup.reason instanceof UnreadableIdempotencyRecord)) throw lookup.reason;
    this.unverifiable(scope, lookup.reason.keyId);
  }

  /** The replay of a stored outcome; throws 422 when the request is not the one it answered. */
  private answerFromStore(stored: StoredOutcome, digest: Buffer, scope: IdempotencyScope): IdempotentReplay {
    const verdict = this.fingerprints.verify(digest, stored.fingerprint);
    if (verdict === 'unknown-key') this.unverifiable(scope, stored.fingerprint.keyId);
    if (verdict !== 'match') {
      this.outcomes.record('mismatch');
      throw new UnprocessableEntityException(idempotencyMessages.bodyMismatch(scope.key));
    }
    this.outcomes.record('replayed');
    return new IdempotentReplay(stored);
  }

  /**
   * A live record whose key is no longer configured: it can be neither checked nor replayed, and
   * running the request again could create twice. 422 until it expires; the operator is told why.
   */
  private unverifiable(scope: IdempotencyScope, keyId: string | null): never {
    this.outcomes.record('unverifiable');
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
