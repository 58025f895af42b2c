import { isIP } from 'node:net';
import { createTransport } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { CredentialsCheckFailed } from '../../domain/credentials-check.errors';
import { Credentials } from '../../domain/integration';
import { credential, flag, ProviderVerifier, requireCredential, VerificationContext } from './provider-verifier';

/**
 * TLS options a caller may set through `credentials.tlsOptions`. Anything else (`host`, `port`,
 * `socket`, `lookup`, `servername`, …) could redirect the connection past the outbound URL
 * policy, so it is dropped.
 */
const TLS_OPTION_KEYS = ['rejectUnauthorized', 'minVersion', 'maxVersion', 'ciphers', 'ecdhCurve', 'ca', 'secureProtocol'];

const TLS_FAILURE = /certificate|self[- ]signed|ssl|tls|handshake|wrong version number|alert/i;

/**
 * Custom SMTP (`nodemailer`): a real connection to `host:port` — implicit TLS when `secure`,
 * STARTTLS unless `ignoreTls` (required with `requireTls`), `tlsOptions` for the handshake — and a
 * login when `user` is given (nodemailer's `transporter.verify()`: EHLO, STARTTLS, AUTH, QUIT; no
 * message is sent). The socket connects to the address the outbound policy checked; the
 * certificate is still verified against the host name (SNI/servername).
 */
export const smtpVerifier: ProviderVerifier = {
  providerIds: ['nodemailer'],
  request: 'SMTP to host:port: EHLO, STARTTLS/TLS as configured, AUTH when user is set, QUIT (transporter.verify())',
  async verify(_providerId: string, credentials: Credentials, context: VerificationContext) {
    const host = requireCredential(credentials, 'host', 'SMTP');
    const secure = flag(credentials, 'secure') ?? false;
    const port = parsePort(credential(credentials, 'port'), secure);
    const user = credential(credentials, 'user');
    const where = `SMTP server ${host}:${port}`;
    // nodemailer connects to one address: the first checked one (IPv4 first, as most MTAs listen there)
    const checked = await context.target(host, 'SMTP server');
    const address = checked.find((a) => isIP(a) === 4) ?? checked[0];

    const options: SMTPTransport.Options & { servername?: string } = {
      host: address,
      port,
      secure,
      requireTLS: flag(credentials, 'requireTls') ?? false,
      ignoreTLS: flag(credentials, 'ignoreTls') ?? false,
      tls: pickTlsOptions(credentials.tlsOptions),
      ...(isIP(host) ? {} : { servername: host }),
      ...(user ? { auth: { user, pass: typeof credentials.password === 'string' ? credentials.password : '' } } : {}),
      connectionTimeout: context.timeoutMs,
      greetingTimeout: context.timeoutMs,
      socketTimeout: context.timeoutMs,
      dnsTimeout: context.timeoutMs,
      logger: false,
      debug: false,
      disableFileAccess: true,
      disableUrlAccess: true,
    };
    const transporter = createTransport(options);
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        transporter.verify(),
        new Promise<never>((_, reject) => {
          onAbort = () => reject(CredentialsCheckFailed.timedOut(where, context.timeoutMs));
          if (context.signal.aborted) onAbort();
          else context.signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } catch (error) {
      throw mapSmtpError(error, where, host, context.timeoutMs);
    } finally {
      if (onAbort) context.signal.removeEventListener('abort', onAbort);
      transporter.close();
    }
  },
};

function parsePort(text: string | undefined, secure: boolean): number {
  if (text === undefined) return secure ? 465 : 587;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new CredentialsCheckFailed('unreachable', 'credentials.port must be a TCP port number (1-65535)');
  }
  return port;
}

function pickTlsOptions(value: unknown): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of TLS_OPTION_KEYS) {
      if (key in value) picked[key] = (value as Record<string, unknown>)[key];
    }
  }
  return picked;
}

/** nodemailer's error codes → reasons. Server replies are not echoed (they may quote the login). */
function mapSmtpError(error: unknown, where: string, host: string, timeoutMs: number): CredentialsCheckFailed {
  if (error instanceof CredentialsCheckFailed) return error;
  const { code, originalCode, message } = (error ?? {}) as { code?: string; originalCode?: string; message?: string };
  const text = String(message ?? '');
  switch (code) {
    case 'EAUTH':
      return new CredentialsCheckFailed('rejected', `${where} refused the login`);
    case 'ENOAUTH':
      return new CredentialsCheckFailed('rejected', `${where} requires a login, but no password was given`);
    case 'ETIMEDOUT':
      return CredentialsCheckFailed.timedOut(where, timeoutMs);
    case 'EDNS':
      return CredentialsCheckFailed.cannotResolve(host);
    case 'ETLS':
      return new CredentialsCheckFailed('protocol', `TLS negotiation with ${where} failed`);
    case 'EPROTOCOL':
      return new CredentialsCheckFailed('protocol', `${where} did not answer like an SMTP server`);
  }
  if (/STARTTLS/.test(text)) {
    return new CredentialsCheckFailed('protocol', `${where} does not offer STARTTLS, which requireTls demands`);
  }
  const system = originalCode ?? code;
  if (system === 'ECONNREFUSED' || system === 'EHOSTUNREACH' || system === 'ENETUNREACH' || system === 'ECONNRESET') {
    return new CredentialsCheckFailed('unreachable', `${where} is unreachable (${system})`);
  }
  if (TLS_FAILURE.test(text) || /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(String(system))) {
    return new CredentialsCheckFailed('protocol', `TLS negotiation with ${where} failed${system ? ` (${system})` : ''}`);
  }
  if (code === 'ECONNECTION' || code === 'ESOCKET') {
    return new CredentialsCheckFailed('unreachable', `${where} is unreachable (${system ?? 'connection failed'})`);
  }
  return new CredentialsCheckFailed('protocol', `${where} check failed${system ? ` (${system})` : ''}`);
}
