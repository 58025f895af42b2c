import { connect } from 'node:net';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
  text: string;
}

/**
 * Sends `request` as is on a fresh TCP connection and reads the answer until the server closes it.
 * fetch cannot send what these tests need (oversized or malformed requests).
 */
function rawRequest(port: number, request: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...headerLines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const bodyText = text.slice(split + 4);
      let body: unknown = bodyText;
      try {
        body = JSON.parse(bodyText);
      } catch {
        // not JSON: left as text, the assertions say so
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, text: bodyText });
    });
    socket.end(request);
  });
}

/** Status and the complete error shape, nothing more and nothing less. */
function expectFrameworkError(response: RawResponse, status: number, path: string, error: string): string {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body).toEqual({
    statusCode: status,
    timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    path,
    message: expect.any(String),
    error,
    requestId: expect.any(String),
  });
  return response.body.message;
}

describe('framework-level errors keep the error shape and echo nothing raw', () => {
  let testApp: TestApp;
  let port: number;
  let apiKey: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    port = Number(new URL(testApp.baseUrl).port);
    const org = await testApp.bootstrap();
    apiKey = org.environments[0].apiKey;
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const get = (target: string, extraHeaders = '', method = 'GET') =>
    `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ApiKey ${apiKey}\r\n${extraHeaders}Connection: close\r\n\r\n`;

  it('414 for a route parameter over the limit, without the URL in the message and with a bounded path', async () => {
    const id = 'z'.repeat(5_000);
    // DELETE /v1/integrations/:integrationId has a route parameter (there is no GET by id).
    const response = await rawRequest(port, get(`${ROUTE}/${id}?token=query-secret-value`, '', 'DELETE'));
    const message = expectFrameworkError(response, 414, `${ROUTE}/${id}`.slice(0, 256), 'URI Too Long');
    expect(message).toMatch(/^URI Too Long/);
    expect(message).not.toContain('zzz');
    expect(response.text).not.toContain('query-secret-value');
    expect(response.text).not.toContain('z'.repeat(300));
  });

  it('400 for a URL with a malformed percent-encoding, without the URL in the message', async () => {
    const response = await rawRequest(port, get(`${ROUTE}/%E0%A4%A?token=query-secret-value`, '', 'DELETE'));
    const message = expectFrameworkError(response, 400, `${ROUTE}/%E0%A4%A`, 'Bad Request');
    expect(message).not.toContain('%E0');
    expect(response.text).not.toContain('query-secret-value');
  });

  it('431 for header fields over the limit, without the header in the body', async () => {
    const big = `big-header-secret-${'h'.repeat(20_000)}`;
    const response = await rawRequest(port, get(ROUTE, `X-Big: ${big}\r\n`));
    const message = expectFrameworkError(response, 431, ROUTE, 'Request Header Fields Too Large');
    expect(message).toBe('Request header fields are too large');
    expect(response.text).not.toContain('big-header-secret');
  });

  it('431 for a URL over the header limit, with a bounded path and no query string', async () => {
    const response = await rawRequest(port, get(`${ROUTE}?q=${'u'.repeat(20_000)}-url-secret`));
    expectFrameworkError(response, 431, ROUTE, 'Request Header Fields Too Large');
    expect(response.text).not.toContain('uuuu');
  });

  it('400 for a request that is not valid HTTP, in the error shape, without the raw request', async () => {
    const response = await rawRequest(port, `GET ${ROUTE} HTTP/1.1\r\nHost: 127.0.0.1\r\nnot a header line raw-secret\r\n\r\n`);
    const message = expectFrameworkError(response, 400, ROUTE, 'Bad Request');
    expect(message).toBe('The request is not valid HTTP');
    expect(response.text).not.toContain('raw-secret');
  });

  it('400 for garbage on the socket, with an empty path', async () => {
    const response = await rawRequest(port, 'raw-secret \u0001\u0002 garbage\r\n\r\n');
    expectFrameworkError(response, 400, '', 'Bad Request');
    expect(response.text).not.toContain('raw-secret');
  });

  it('404 for an unknown route does not repeat the query string or a long path in its message', async () => {
    const target = `/v1/${'r'.repeat(1_000)}?apiKey=query-secret-value`;
    const response = await rawRequest(port, get(target));
    const message = expectFrameworkError(response, 404, target, 'Not Found');
    expect(message).toBe(`Cannot GET /v1/${'r'.repeat(1_000)}`.slice(0, 'Cannot GET '.length + 256));
    expect(message).not.toContain('query-secret-value');
  });

  it('the service still answers normally afterwards', async () => {
    const response = await new ApiClient(testApp.baseUrl, `ApiKey ${apiKey}`).get(ROUTE);
    expect(response.status).toBe(200);
  });

  describe('only JSON bodies are accepted (415 with a hint)', () => {
    const body = JSON.stringify(sendgridPayload());
    it.each([
      ['text/plain', body],
      ['text/plain; charset=utf-8', body],
      ['application/x-www-form-urlencoded', 'providerId=sendgrid&channel=email'],
      ['application/xml', '<providerId>sendgrid</providerId>'],
    ])('%s → 415 saying to send application/json', async (contentType, payload) => {
      const client = new ApiClient(testApp.baseUrl, `ApiKey ${apiKey}`);
      const response = await client.request('POST', ROUTE, { raw: payload, headers: { 'Content-Type': contentType } });
      expect(response.status).toBe(415);
      expect(response.body).toEqual({
        statusCode: 415,
        timestamp: expect.any(String),
        path: ROUTE,
        message: expect.stringContaining('application/json'),
        error: 'Unsupported Media Type',
        requestId: expect.any(String),
      });
    });

    it('application/json still works', async () => {
      const client = new ApiClient(testApp.baseUrl, `ApiKey ${apiKey}`);
      const response = await client.request('POST', ROUTE, { raw: body, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
      expect(response.status).toBe(201);
    });
  });
});
