import { isDatabaseUnavailable } from './database-unavailable';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset socket', withCode('ECONNRESET')],
    ['admin shutdown (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['the server starting up (57P03)', withCode('57P03')],
    ['a connection exception class 08', withCode('08006')],
    ['statement_timeout (57014)', withCode('57014', 'canceling statement due to statement timeout')],
    ['a deadlock (40P01)', withCode('40P01')],
    ['too many connections (53300)', withCode('53300')],
    ['the pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a TypeORM QueryFailedError wrapping 57P01', Object.assign(new Error('query failed'), { driverError: withCode('57P01') })],
    ['TypeORM: the transaction lost its connection', Object.assign(new Error('Query runner already released.'), { name: 'QueryRunnerAlreadyReleasedError' })],
    ['TypeORM: the connection of a released query runner', Object.assign(new Error('already released'), { name: 'QueryRunnerProviderAlreadyReleasedError' })],
    ['a cause chain', new Error('outer', { cause: withCode('ECONNREFUSED') })],
    ['an AggregateError of refused connections', Object.assign(new AggregateError([withCode('ECONNREFUSED')]), {})],
  ])('%s → true', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', Object.assign(new Error('duplicate key'), { driverError: withCode('23505') })],
    ['a check violation (23514)', withCode('23514')],
    ['a syntax error (42601)', withCode('42601')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
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
