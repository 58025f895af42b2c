/**
 * Whether an error means "PostgreSQL is unreachable or too busy right now" (answer 503, the client
 * may retry) rather than a bug (500). Looks at the error, TypeORM's `driverError` and `cause`.
 *
 * SQLSTATEs: class 08 (connection exception), 57P01-57P03 (server shutting down / starting up),
 * 53300 (too many connections), 57014 (statement_timeout / cancelled), 40001 and 40P01
 * (serialization failure, deadlock: safe to retry). node-postgres reports a dropped or refused
 * connection and its own timeouts (the pool's connect timeout, the client-side `query_timeout`)
 * without a SQLSTATE: socket errno codes, and a few fixed messages (there is no code to match on for
 * those).
 *
 * Only the driver's and the ORM's errors count. A socket errno code counts only on a system error
 * of a socket call (it has a `syscall`: connect, read, write, getaddrinfo), as node-postgres passes
 * them on: the HTTP request's own stream fails with the same codes when a client aborts its upload
 * ("aborted", ECONNRESET, no `syscall`), and Fastify tags such errors with an HTTP `statusCode`;
 * an error carrying an HTTP status is never the database's.
 */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014', '40001', '40P01']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
const NODE_POSTGRES_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Cannot use a pool after calling end on the pool',
  'Client network socket disconnected',
  'Query read timeout',
];

/** TypeORM's errors when a transaction's connection was lost and released under it (by class name: no TypeORM import here). */
const LOST_CONNECTION_ERROR_NAMES = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 4 || error === null || typeof error !== 'object') return false;
  const { name, code, syscall, statusCode, status, message, driverError, cause, errors } = error as {
    name?: unknown;
    code?: unknown;
    syscall?: unknown;
    statusCode?: unknown;
    status?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof statusCode === 'number' || typeof status === 'number') return false;
  if (typeof name === 'string' && LOST_CONNECTION_ERROR_NAMES.has(name)) return true;
  if (typeof code === 'string' && (code.startsWith('08') || TRANSIENT_SQLSTATES.has(code))) return true;
  if (typeof code === 'string' && SOCKET_CODES.has(code) && typeof syscall === 'string') return true;
  if (typeof message === 'string' && NODE_POSTGRES_MESSAGES.some((known) => message.includes(known))) return true;
  // AggregateError (a connect that tried several addresses).
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(driverError, depth + 1) || (cause !== error && isDatabaseUnavailable(cause, depth + 1));
}

export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is temporarily unavailable. Please retry later';
