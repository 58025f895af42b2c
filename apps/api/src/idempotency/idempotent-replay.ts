import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest } from '../auth/authenticated-request';
import { maySeeCredentialValues, withoutSecretValues } from '../auth/credential-visibility.policy';
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

/**
 * The stored body as the caller who RECEIVES it may see it. A key is scoped to the organization,
 * not to the caller kind: a session's keyed create, retried with the same key and body by an API
 * key of that environment, is answered from the store. The stored body is what the session was
 * sent (decrypted credentials, signing key), so for a caller who may not see credential values
 * every integration of the `{data: …}` envelope (one object, or an array) goes through the same
 * redaction as the response mapper. Error bodies (no `data`) hold no integration and pass as they
 * are. A caller that is unknown here is treated as one who may not see the values.
 */
export function replayBodyFor(actor: AuthenticatedRequest['actor'], body: string): string {
  if (maySeeCredentialValues(actor)) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body; // never stored by us: outcomes are JSON.stringify output
  }
  if (!isRecord(parsed) || !('data' in parsed)) return body;
  const data = parsed.data;
  const redact = (item: unknown) => (isRecord(item) ? withoutSecretValues(item) : item);
  if (Array.isArray(data)) return JSON.stringify({ ...parsed, data: data.map(redact) });
  if (isRecord(data)) return JSON.stringify({ ...parsed, data: redact(data) });
  return body;
}

/** Sends a stored outcome: its status and JSON body, and `Idempotency-Replay: true` on a replay. */
@Catch(IdempotentReplay)
export class IdempotentReplayFilter implements ExceptionFilter<IdempotentReplay> {
  catch(replay: IdempotentReplay, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const actor = http.getRequest<AuthenticatedRequest>().actor;
    void reply.status(replay.outcome.statusCode).header('content-type', 'application/json; charset=utf-8');
    if (replay.replayed) void reply.header(IDEMPOTENCY_REPLAY_HEADER, 'true');
    void reply.send(replayBodyFor(actor, replay.outcome.body));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
