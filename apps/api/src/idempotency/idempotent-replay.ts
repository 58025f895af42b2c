import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IDEMPOTENCY_REPLAY_HEADER } from './idempotency-request';
import { StoredOutcome } from './idempotency.store';

/**
 * Raised by the idempotency interceptor when a stored outcome answers the request: a replay, or
 * the first answer of a stored client error (so that the first answer and every replay carry the
 * same bytes, timestamp included). Nest would apply the route's own status to a returned value, so
 * the outcome travels as an exception that `IdempotentReplayFilter` sends as it is.
 */
export class IdempotentReplay extends Error {
  constructor(
    readonly outcome: StoredOutcome,
    /** true: answered from the store (header `Idempotency-Replay: true`). */
    readonly replayed = true,
  ) {
    super('idempotent replay');
    this.name = 'IdempotentReplay';
  }
}

/** Sends a stored outcome: its status and JSON body, and `Idempotency-Replay: true` on a replay. */
@Catch(IdempotentReplay)
export class IdempotentReplayFilter implements ExceptionFilter<IdempotentReplay> {
  catch(replay: IdempotentReplay, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(replay.outcome.statusCode).header('content-type', 'application/json; charset=utf-8');
    if (replay.replayed) void reply.header(IDEMPOTENCY_REPLAY_HEADER, 'true');
    void reply.send(replay.outcome.body);
  }
}
