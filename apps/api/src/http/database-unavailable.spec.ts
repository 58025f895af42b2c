import { isDatabaseUnavailable } from './database-unavailable';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
/** A Node system error of a socket call, as node-postgres passes it on. */
const socketError = (code: string, syscall: string, message = `${syscall} ${code}`) =>
  Object.assign(new Error(message), { code, syscall, errno: -1 });
/** What Node's HTTP server fails the request stream with when the client aborts, as Fastify's body reader passes it on. */
const abortedRequest = (code = 'ECONNRESET') => Object.assign(new Error('aborted'), { code, statusCode: 400 });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', socketError('ECONNREFUSED', 'connect', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset socket', socketError('ECONNRESET', 'read')],
    ['a keepalive that found the server gone', socketError('ETIMEDOUT', 'read')],
    ['an unresolvable database host', socketError('ENOTFOUND', 'getaddrinfo')],
    ['the client-side query_timeout', new Error('Query read timeout')],
    [
      'a TypeORM QueryFailedError wrapping the query_timeout',
      Object.assign(new Error('Query read timeout'), { name: 'QueryFailedError', driverError: new Error('Query read timeout') }),
    ],
    ['admin shutdown (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['the server starting up (57P03)', withCode('57P03')],
    ['a connection exception class 08', withCode('08006')],
    ['statement_timeout (57014)', withCode('57014', 'canceling statement due to statement timeout')],
    ['a deadlock (40P01)', withCode('40P01')],
    ['too many connections (53300)', withCode('53300')],
    ['the pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a TypeORM QueryFailedError wrapping 57P01', Object.assign(new Error('query failed'), { driverError: withCode('57P01') })],
    [
      'TypeORM: the transaction lost its connection',
      Object.assign(new Error('Query runner already released.'), { name: 'QueryRunnerAlreadyReleasedError' }),
    ],
    [
      'TypeORM: the connection of a released query runner',
      Object.assign(new Error('already released'), { name: 'QueryRunnerProviderAlreadyReleasedError' }),
    ],
    ['a cause chain', new Error('outer', { cause: socketError('ECONNREFUSED', 'connect') })],
    ['an AggregateError of refused connections', new AggregateError([socketError('ECONNREFUSED', 'connect')])],
  ])('%s → true', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', Object.assign(new Error('duplicate key'), { driverError: withCode('23505') })],
    ['a check violation (23514)', withCode('23514')],
    ['a syntax error (42601)', withCode('42601')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a client that aborted its upload (ECONNRESET)', abortedRequest()],
    ['a client that aborted its upload (ECONNABORTED)', abortedRequest('ECONNABORTED')],
    ['a socket code without a socket call (not from the driver)', withCode('ECONNRESET', 'aborted')],
    [
      'an HTTP-level error wrapping a socket error',
      Object.assign(new Error('Bad Request', { cause: socketError('ECONNRESET', 'read') }), { status: 400 }),
    ],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
  ])('%s → false', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('stops on a self-referencing cause', () => {
    const error = new Error('loop') as Error & { cause?: unknown };
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
