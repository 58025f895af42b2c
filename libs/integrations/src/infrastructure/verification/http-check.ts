import { request as httpRequest, IncomingMessage, RequestOptions, validateHeaderValue } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { VerificationContext } from './provider-verifier';

export interface HttpCheckRequest {
  /** The provider's name for messages ("SendGrid"). */
  readonly service: string;
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpCheckResponse {
  readonly status: number;
  /** The first 64 KiB of the body. */
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json<T = Record<string, unknown>>(): T | undefined;
}

const MAX_BODY_BYTES = 64 * 1024;
const USER_AGENT = 'integrations-service-credentials-check/1';

const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

/**
 * Sends one read-only request for a credentials check and returns the provider's answer.
 *
 * Why node:http(s) rather than global fetch: the host is resolved and checked against the outbound
 * URL policy first, and the socket then connects to that checked address (a `lookup` that returns
 * it), so a DNS answer cannot change in between (DNS rebinding); fetch cannot pin the address
 * without an undici dispatcher. Redirects are never followed. The whole exchange is bounded by the
 * context's `AbortSignal.timeout`.
 *
 * Network failures become `CredentialsCheckFailed` (unreachable / timeout / protocol); the messages
 * name the host, never the path, query or headers (which may carry secrets).
 */
export async function sendHttpCheck(context: VerificationContext, req: HttpCheckRequest): Promise<HttpCheckResponse> {
  const url = new URL(req.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CredentialsCheckFailed('unreachable', `${req.service} base URL must be http or https`);
  }
  assertSendableHeaders(req);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = (await context.target(host, req.service)).map((address) => ({
    address,
    family: isIP(address) === 6 ? 6 : 4,
  }));
  if (context.signal.aborted) throw CredentialsCheckFailed.timedOut(`${req.service} (${host})`, context.timeoutMs);

  // Node asks for every address (happy eyeballs) or for one; either way only checked ones
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options?.all) (callback as (e: null, a: typeof addresses) => void)(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
  const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  const options: RequestOptions = {
    method: req.method ?? 'GET',
    hostname: host,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    headers: {
      'user-agent': USER_AGENT,
      accept: 'application/json',
      ...(body ? { 'content-length': String(body.length) } : {}),
      ...req.headers,
    },
    // a host literal is used as is; a name is connected to the checked address only
    lookup: isIP(host) ? undefined : pinned,
    agent: false,
    signal: context.signal,
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<HttpCheckResponse>((resolve, reject) => {
    const fail = (error: unknown) => reject(mapNetworkError(error, req.service, host, context));
    let outgoing: ReturnType<typeof send>;
    try {
      outgoing = send(options, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size >= MAX_BODY_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
        });
        response.on('error', fail);
        response.on('end', () => {
          const text = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            body: text,
            json<T>() {
              try {
                return JSON.parse(text) as T;
              } catch {
                return undefined;
              }
            },
          });
        });
      });
    } catch (error) {
      // request() throws synchronously on options it cannot send; never let that become a 500
      fail(error);
      return;
    }
    outgoing.on('error', fail);
    outgoing.end(body);
  });
}

/**
 * Credentials travel in request headers (`Authorization: Bearer <apiKey>`, `api-key: <apiKey>`).
 * A value Node cannot put in a header (a line break, a character above U+00FF) would make
 * `request()` throw; refuse it as a failed check instead, before any DNS lookup, naming neither the
 * header's value nor its position.
 */
function assertSendableHeaders(req: HttpCheckRequest): void {
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    try {
      validateHeaderValue(name, value);
    } catch {
      throw new CredentialsCheckFailed(
        'rejected',
        `${req.service} credentials cannot be sent in an HTTP header (they contain a line break or a character outside Latin-1)`,
      );
    }
  }
}

function mapNetworkError(error: unknown, service: string, host: string, context: VerificationContext): CredentialsCheckFailed {
  if (error instanceof CredentialsCheckFailed) return error;
  if (context.signal.aborted) return CredentialsCheckFailed.timedOut(`${service} (${host})`, context.timeoutMs);
  const code = String((error as { code?: unknown })?.code ?? '');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return CredentialsCheckFailed.cannotResolve(host);
  if (TLS_ERROR.test(code)) return new CredentialsCheckFailed('protocol', `TLS connection to ${service} (${host}) failed (${code})`);
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_')) {
    return new CredentialsCheckFailed('protocol', `${service} (${host}) did not answer with valid HTTP`);
  }
  const detail = UNREACHABLE.has(code) ? code : code || 'connection failed';
  return new CredentialsCheckFailed('unreachable', `${service} (${host}) is unreachable (${detail})`);
}

/**
 * The usual reading of an answer: 2xx accepted; 401/403 the credentials were refused; anything else
 * is not a yes or a no. Verifiers handle provider-specific answers (404 for an unknown account,
 * Slack's `ok: false`) before calling this.
 */
export function expectAccepted(service: string, response: HttpCheckResponse): void {
  const { status } = response;
  if (status >= 200 && status < 300) return;
  if (status === 401 || status === 403) {
    throw new CredentialsCheckFailed('rejected', `${service} rejected the credentials (HTTP ${status})`);
  }
  if (status >= 300 && status < 400) {
    throw new CredentialsCheckFailed('protocol', `${service} answered with a redirect (HTTP ${status}), which the check does not follow`);
  }
  if (status === 429) {
    throw new CredentialsCheckFailed('protocol', `${service} is rate limiting requests (HTTP 429); try again later`);
  }
  throw new CredentialsCheckFailed('protocol', `${service} answered HTTP ${status}, which does not tell whether the credentials work`);
}
