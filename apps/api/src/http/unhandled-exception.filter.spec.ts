import { ArgumentsHost, Logger } from '@nestjs/common';
import { LogClock } from './collapsed-log';
import { DATABASE_UNAVAILABLE_MESSAGE } from './database-unavailable';
import { INCOMPLETE_BODY_MESSAGE, UnhandledExceptionFilter } from './unhandled-exception.filter';

/** A clock whose intervals end when the test says so. */
class ManualClock implements LogClock {
  private due: (() => void)[] = [];
  schedule(callback: () => void): void {
    this.due.push(callback);
  }
  endInterval(): void {
    const due = this.due;
    this.due = [];
    for (const callback of due) callback();
  }
}

interface Sent {
  status?: number;
  headers: Record<string, string>;
  body?: any;
}

/** The Fastify request/reply pair the filter sees, reduced to what it uses. */
function httpHost(
  method: string,
  url: string,
  raw: { aborted?: boolean; readableAborted?: boolean } = {},
): { host: ArgumentsHost; sent: Sent } {
  const sent: Sent = { headers: {} };
  const reply = {
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  const request = { method, url, raw };
  const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }) } as unknown as ArgumentsHost;
  return { host, sent };
}

const queryTimeout = () =>
  Object.assign(new Error('Query read timeout'), { name: 'QueryFailedError', driverError: new Error('Query read timeout') });

describe('UnhandledExceptionFilter', () => {
  let warnings: string[];
  let debugs: string[];
  let errors: string[];

  beforeEach(() => {
    warnings = [];
    debugs = [];
    errors = [];
    // The log sink, observed: each line the filter writes, by level.
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    jest.spyOn(Logger.prototype, 'debug').mockImplementation((message: unknown) => void debugs.push(String(message)));
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
  });

  afterEach(() => jest.restoreAllMocks());

  it('answers every request of an outage 503, but collapses the warnings into one line per interval', () => {
    const clock = new ManualClock();
    const filter = new UnhandledExceptionFilter({ clock, collapseIntervalMs: 10_000 });

    const answers: Sent[] = [];
    for (let i = 0; i < 138; i++) {
      const { host, sent } = httpHost('GET', `/v1/integrations?page=${i}`);
      filter.catch(queryTimeout(), host);
      answers.push(sent);
    }
    expect(
      answers.every(
        (sent) => sent.status === 503 && sent.headers['retry-after'] === '1' && sent.body.message === DATABASE_UNAVAILABLE_MESSAGE,
      ),
    ).toBe(true);
    expect(warnings).toEqual(['Database unavailable on GET /v1/integrations?page=0: Query read timeout']);

    clock.endInterval();
    expect(warnings).toEqual([
      'Database unavailable on GET /v1/integrations?page=0: Query read timeout',
      'Database unavailable on GET /v1/integrations?page=137: Query read timeout (and 137 more in the last 10 s)',
    ]);
    expect(errors).toEqual([]);
  });

  it('answers an aborted upload 400, logged at debug level only', () => {
    const filter = new UnhandledExceptionFilter({ clock: new ManualClock() });
    const { host, sent } = httpHost('POST', '/v1/integrations', { aborted: true, readableAborted: true });

    filter.catch(Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 }), host);

    expect(sent.status).toBe(400);
    expect(sent.body).toEqual({
      statusCode: 400,
      timestamp: expect.any(String),
      path: '/v1/integrations',
      message: INCOMPLETE_BODY_MESSAGE,
      error: 'Bad Request',
    });
    expect(debugs).toEqual(['Client aborted its upload on POST /v1/integrations']);
    expect(warnings).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('still answers an unknown error 500 with an errorId', () => {
    const filter = new UnhandledExceptionFilter({ clock: new ManualClock() });
    const { host, sent } = httpHost('POST', '/v1/integrations');

    filter.catch(new TypeError('boom'), host);

    expect(sent.status).toBe(500);
    expect(sent.body.errorId).toEqual(expect.any(String));
    expect(errors).toHaveLength(1);
  });
});
