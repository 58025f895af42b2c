import { connect } from 'node:net';
import { CapturedOutput } from '../support/captured-output';
import { startTestApp, TestApp } from '../support/test-app';

const ROUTE = '/v1/integrations';

/** What came back on a raw socket, once the server closed it. */
interface RawExchange {
  /** Everything the server wrote (status line, headers, body), possibly empty. */
  readonly received: string;
}

/**
 * Sends the headers of a POST that announces `declaredLength` bytes, writes `sent` bytes of body,
 * half-closes the socket (the client is done writing, as a client that gives up on its upload) and
 * collects whatever the server answers until it closes the connection.
 */
function abortUpload(baseUrl: string, authorization: string, declaredLength: number, sent: string): Promise<RawExchange> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((done, fail) => {
    const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset the connection of a client it considers gone: that is an answer too.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      fail(error);
    });
    socket.on('close', () => done({ received: Buffer.concat(chunks).toString('utf8') }));
    socket.on('connect', () => {
      socket.write(
        [
          `POST ${ROUTE} HTTP/1.1`,
          `Host: ${hostname}:${port}`,
          `Authorization: ${authorization}`,
          'Content-Type: application/json',
          `Content-Length: ${declaredLength}`,
          '',
          '',
        ].join('\r\n'),
      );
      socket.end(sent);
    });
  });
}

/**
 * A client that aborts its upload is a client error, not a database outage: the service neither
 * answers 503 nor logs "Database unavailable" (the request stream's ECONNRESET/ECONNABORTED must not
 * be mistaken for a dropped PostgreSQL connection).
 */
describe('an aborted upload', () => {
  let testApp: TestApp;
  let authorization: string;
  const output = new CapturedOutput();

  beforeAll(async () => {
    testApp = await startTestApp({ logLevels: ['fatal', 'error', 'warn', 'log', 'debug'] });
    const org = await testApp.bootstrap();
    authorization = `ApiKey ${org.environments[0].apiKey}`;
    output.start();
  });

  afterAll(async () => {
    output.stop();
    await testApp?.close();
  });

  it('is neither answered 503 nor logged as a database outage', async () => {
    const before = output.mark;
    // Whatever the service decides about the failed request, the catch-all filter logs one of these.
    const logged = output.matching(before, /Client aborted its upload|Database unavailable|Unhandled error/);
    const exchange = await abortUpload(testApp.baseUrl, authorization, 100_000, '{"name":"x');
    const log = await logged;

    expect(log).not.toMatch(/Database unavailable/i);
    expect(log).not.toMatch(/Unhandled error/);
    expect(log).toMatch(/DEBUG.*Client aborted its upload on POST \/v1\/integrations/);
    // No 503 went out; if anything did, it is a 400 (Fastify's own answer to the truncated request).
    expect(exchange.received).not.toMatch(/^HTTP\/1\.1 5\d\d/);
    if (exchange.received !== '') expect(exchange.received).toMatch(/^HTTP\/1\.1 400 /);

    // The service is unharmed.
    expect((await fetch(`${testApp.baseUrl}/health/ready`)).status).toBe(200);
  });
});
