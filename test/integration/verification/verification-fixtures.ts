import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, createServer as createTcpServer } from 'node:net';
import { HostResolver } from '@app/integrations/application/ports/host-resolver';
import { OutboundUrlChecker } from '@app/integrations/application/outbound-urls/outbound-url-checker';
import { CredentialsCheckFailed } from '@app/integrations/domain/credentials-check.errors';
import { DnsHostResolver } from '@app/integrations/infrastructure/verification/dns-host-resolver';
import { ProviderVerifierRegistry } from '@app/integrations/infrastructure/verification/provider-verifier.registry';

/** The registry as the module builds it, with the test configuration: 127.0.0.1 is allow-listed. */
export function buildVerifier(
  options: { timeoutMs?: number; baseUrls?: Record<string, string>; allow?: string[]; resolver?: HostResolver } = {},
) {
  const checker = new OutboundUrlChecker(options.resolver ?? new DnsHostResolver(), {
    outboundUrls: { allow: options.allow ?? ['127.0.0.1'], dnsTimeoutMs: 1000 },
  });
  return new ProviderVerifierRegistry(checker, {
    credentialsCheck: { timeoutMs: options.timeoutMs ?? 2000, baseUrls: options.baseUrls ?? {} },
  });
}

/** The failure a check ended with (fails the test when the check succeeded or threw something else). */
export async function failureOf(promise: Promise<unknown>): Promise<CredentialsCheckFailed> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsCheckFailed);
    return error as CredentialsCheckFailed;
  }
  throw new Error('expected the credentials check to fail, but it succeeded');
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

/** A loopback HTTP server playing a provider; records every request. */
export async function startHttpServer(handler: Handler): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A TCP port on 127.0.0.1 with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never says anything. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
