import { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';
import { buildVerifier, closedPort, failureOf, silentServer } from './verification-fixtures';

const USER = 'mailer@example.com';
const PASSWORD = 'correct-horse-battery-staple';

interface RunningSmtp {
  readonly port: number;
  readonly logins: string[];
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 (smtp-server ships a self-signed certificate for TLS). */
async function startSmtp(options: SMTPServerOptions = {}): Promise<RunningSmtp> {
  const logins: string[] = [];
  const server = new SMTPServer({
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(auth.username ?? '');
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    ...options,
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, logins, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const base = (port: number) => ({ host: '127.0.0.1', port: String(port), from: 'a@example.com', senderName: 'A' });

describe('SMTP credentials check (nodemailer provider)', () => {
  const verifier = buildVerifier({ timeoutMs: 2000 });
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('is supported', () => {
    expect(verifier.supports('nodemailer')).toBe(true);
  });

  it('resolves after STARTTLS and a good login', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    await expect(
      verifier.verify('nodemailer', {
        ...base(smtp.port),
        user: USER,
        password: PASSWORD,
        requireTls: true,
        tlsOptions: { rejectUnauthorized: false },
      }),
    ).resolves.toBeUndefined();
    expect(smtp.logins).toEqual([USER]);
  });

  it('resolves over implicit TLS (secure: true)', async () => {
    const smtp = await startSmtp({ secure: true });
    servers.push(smtp);
    await expect(
      verifier.verify('nodemailer', {
        ...base(smtp.port),
        secure: true,
        user: USER,
        password: PASSWORD,
        tlsOptions: { rejectUnauthorized: false },
      }),
    ).resolves.toBeUndefined();
  });

  it('resolves without a login when no user is given', async () => {
    const smtp = await startSmtp({ authOptional: true, disabledCommands: ['STARTTLS'] });
    servers.push(smtp);
    await expect(verifier.verify('nodemailer', base(smtp.port))).resolves.toBeUndefined();
    expect(smtp.logins).toEqual([]);
  });

  it('logs in over plain text when ignoreTls is set and the server allows it', async () => {
    const smtp = await startSmtp({ allowInsecureAuth: true });
    servers.push(smtp);
    await expect(
      verifier.verify('nodemailer', { ...base(smtp.port), ignoreTls: true, user: USER, password: PASSWORD }),
    ).resolves.toBeUndefined();
  });

  it('rejects a wrong password, without echoing it', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    const failure = await failureOf(
      verifier.verify('nodemailer', {
        ...base(smtp.port),
        user: USER,
        password: 'wrong-password-123',
        tlsOptions: { rejectUnauthorized: false },
      }),
    );
    expect(failure.reason).toBe('rejected');
    expect(failure.message).toBe(`SMTP server 127.0.0.1:${smtp.port} refused the login`);
    expect(failure.message).not.toContain('wrong-password-123');
    expect(smtp.logins).toEqual([USER]);
  });

  it('fails the certificate check by default against a self-signed certificate', async () => {
    const smtp = await startSmtp({ secure: true });
    servers.push(smtp);
    const failure = await failureOf(verifier.verify('nodemailer', { ...base(smtp.port), secure: true, user: USER, password: PASSWORD }));
    expect(failure.reason).toBe('protocol');
    expect(failure.message).toContain('TLS negotiation with SMTP server 127.0.0.1');
  });

  it('fails when requireTls is set and the server offers no STARTTLS', async () => {
    const smtp = await startSmtp({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    servers.push(smtp);
    const failure = await failureOf(
      verifier.verify('nodemailer', { ...base(smtp.port), requireTls: true, user: USER, password: PASSWORD }),
    );
    expect(failure.reason).toBe('protocol');
    expect(smtp.logins).toEqual([]);
  });

  it('is unreachable when nothing listens', async () => {
    const port = await closedPort();
    const failure = await failureOf(verifier.verify('nodemailer', { ...base(port), user: USER, password: PASSWORD }));
    expect(failure.reason).toBe('unreachable');
    expect(failure.message).toBe(`SMTP server 127.0.0.1:${port} is unreachable (ECONNREFUSED)`);
  });

  it('times out against a server that accepts the connection and never answers', async () => {
    const silent = await silentServer();
    servers.push(silent);
    const fast = buildVerifier({ timeoutMs: 500 });
    const failure = await failureOf(fast.verify('nodemailer', { ...base(silent.port), user: USER, password: PASSWORD }));
    expect(failure.reason).toBe('timeout');
    expect(failure.message).toBe(`SMTP server 127.0.0.1:${silent.port} did not answer within 500 ms`);
  });

  it('cannot resolve an unknown host name', async () => {
    const failure = await failureOf(verifier.verify('nodemailer', { ...base(25), host: 'no-such-host.invalid' }));
    expect(failure.reason).toBe('unreachable');
    expect(failure.message).toBe("Provider gateway can't resolve the host with the given hostname no-such-host.invalid");
  });

  it('does not connect to an address the policy refuses (only 127.0.0.1 is allowed)', async () => {
    const smtp = await startSmtp({ authOptional: true });
    servers.push(smtp);
    const failure = await failureOf(verifier.verify('nodemailer', { ...base(smtp.port), host: 'localhost' }));
    expect(failure.reason).toBe('unreachable');
    expect(failure.message).toContain('loopback address');
    const other = await failureOf(verifier.verify('nodemailer', { ...base(smtp.port), host: '0x7f.0.0.2' }));
    expect(other.message).toContain('points at a loopback address (127.0.0.0/8)');
    expect(smtp.logins).toEqual([]);
  });

  it('ignores TLS options that could redirect the connection', async () => {
    const smtp = await startSmtp({ authOptional: true, disabledCommands: ['STARTTLS'] });
    servers.push(smtp);
    const closed = await closedPort();
    await expect(
      verifier.verify('nodemailer', {
        ...base(smtp.port),
        secure: false,
        tlsOptions: { host: '127.0.0.1', port: closed, rejectUnauthorized: false },
      }),
    ).resolves.toBeUndefined();
  });

  it('refuses a port that is not a port', async () => {
    const failure = await failureOf(verifier.verify('nodemailer', { ...base(25), port: '99999' }));
    expect(failure.message).toBe('credentials.port must be a TCP port number (1-65535)');
  });
});
