// A real PgBouncer (Debian's `pgbouncer` package, /usr/sbin/pgbouncer) in transaction-pooling mode in
// front of a PostgreSQL server, for the test suites and bench/. Plain CommonJS so that Jest's
// globalSetup, test files (through pgbouncer.d.ts) and plain-Node scripts can all require it.
//
//   const { startPgBouncer } = require('./test/support/pgbouncer');
//   const bouncer = await startPgBouncer({ upstreamUrl: 'postgres://postgres@127.0.0.1:5432/test' });
//   bouncer.url('test')  // postgres://postgres@127.0.0.1:<port>/test, pooled
//   await bouncer.stop();
//
// Every database name is forwarded to the same server (wildcard `*` entry). Clients are trusted
// (auth_type = trust; the user must be listed in the auth_file, which holds the upstream user and
// its password so that PgBouncer can log in to the server). PgBouncer refuses to run as root: when
// this process is root it runs as the `postgres` OS user, its files in a fresh folder under the OS
// temp folder that user owns. A watchdog process stops PgBouncer when this process dies without
// calling stop() (SIGKILL, a crashed Jest worker).
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { chown, mkdtemp, rm, writeFile } = require('node:fs/promises');
const { createServer, Socket } = require('node:net');
const { tmpdir, userInfo } = require('node:os');
const { join } = require('node:path');

const DEFAULT_BINARY = '/usr/sbin/pgbouncer';
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 3;

class PgBouncerError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PgBouncerError';
  }
}

/** The pgbouncer binary: options.binary, $PGBOUNCER_BIN, /usr/sbin/pgbouncer or `pgbouncer` on PATH. */
function findPgBouncer(binary) {
  const candidates = [binary, process.env.PGBOUNCER_BIN, DEFAULT_BINARY].filter(Boolean);
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  try {
    const found = execFileSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on PATH
  }
  throw new PgBouncerError(
    `PgBouncer is not installed (looked for ${candidates.join(', ')} and pgbouncer on PATH). Install Debian's package: ` +
      '"apt-get update && apt-get install -y --no-install-recommends pgbouncer" (.ci/run does when it is missing), ' +
      'or set PGBOUNCER_BIN to its path.',
  );
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** uid/gid of the `postgres` OS user, from /etc/passwd. */
function postgresUser() {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new PgBouncerError('PgBouncer refuses to run as root and there is no `postgres` OS user to run it as.');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A value for pgbouncer.ini / the auth_file: double quotes doubled. */
const quoted = (value) => `"${String(value).replace(/"/g, '""')}"`;

/** libpq-style `key=value` for the [databases] entry (single quotes, backslash-escaped). */
const connectionValue = (value) => `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function iniFile({ port, upstream, folder, poolSize, maxClientConn, extra }) {
  const host = upstream.hostname.replace(/^\[|\]$/g, '');
  const upstreamPort = upstream.port || '5432';
  const settings = {
    listen_addr: HOST,
    listen_port: port,
    unix_socket_dir: '',
    auth_type: 'trust',
    auth_file: join(folder, 'users.txt'),
    pool_mode: 'transaction',
    default_pool_size: poolSize,
    min_pool_size: 0,
    reserve_pool_size: 0,
    max_client_conn: maxClientConn,
    // The test suites create and drop many databases: forget idle per-database pools quickly.
    autodb_idle_timeout: 30,
    server_idle_timeout: 30,
    logfile: join(folder, 'pgbouncer.log'),
    pidfile: join(folder, 'pgbouncer.pid'),
    admin_users: decodeURIComponent(upstream.username || 'postgres'),
    stats_users: decodeURIComponent(upstream.username || 'postgres'),
    log_connections: 0,
    log_disconnections: 0,
    ...extra,
  };
  const lines = ['[databases]', `* = host=${connectionValue(host)} port=${upstreamPort}`, '', '[pgbouncer]'];
  for (const [key, value] of Object.entries(settings)) lines.push(`${key} = ${value}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Stops PgBouncer (SIGTERM: immediate shutdown) when the process that started it dies, however it
 * dies: the watchdog holds the read end of a pipe from its parent and the kernel closes it then.
 */
const WATCHDOG = String.raw`
'use strict';
const { readFileSync, rmSync } = require('node:fs');
const pid = Number(process.argv[1]);
const folder = process.argv[2];
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => undefined);
let done = false;
function stop() {
  if (done) return;
  done = true;
  try {
    if (readFileSync('/proc/' + pid + '/cmdline', 'utf8').includes('pgbouncer')) process.kill(pid, 'SIGTERM');
  } catch {}
  if (folder) setTimeout(() => { try { rmSync(folder, { recursive: true, force: true }); } catch {} process.exit(0); }, 500);
  else process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
`;

function startWatchdog(pid, folder) {
  if (process.platform !== 'linux') return undefined;
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(pid), folder ?? ''], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.unref();
  watchdog.stdin.on('error', () => undefined);
  // Keep the pipe from holding this process's event loop open.
  watchdog.stdin._handle?.unref?.();
  return watchdog;
}

/** Resolves once something accepts TCP connections on port, rejects when `exited` settles first. */
async function waitForPort(port, exited, deadline) {
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new PgBouncerError('PgBouncer exited before it accepted connections');
    const open = await new Promise((done) => {
      const socket = new Socket();
      const finish = (answer) => {
        socket.destroy();
        done(answer);
      };
      socket.setTimeout(500, () => finish(false));
      socket.once('error', () => finish(false));
      socket.connect(port, HOST, () => finish(true));
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new PgBouncerError(`PgBouncer did not accept connections on ${HOST}:${port} within ${READY_TIMEOUT_MS} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

function readLog(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function launch(binary, options, upstream, folder, owner) {
  const port = options.port ?? (await freePort());
  const ini = join(folder, 'pgbouncer.ini');
  await writeFile(
    ini,
    iniFile({
      port,
      upstream,
      folder,
      poolSize: options.poolSize ?? 20,
      maxClientConn: options.maxClientConn ?? 1000,
      extra: options.settings ?? {},
    }),
    { mode: 0o600 },
  );
  if (owner) await chown(ini, owner.uid, owner.gid);
  const logFile = join(folder, 'pgbouncer.log');

  const child = spawn(binary, [ini], { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const exited = new Promise((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', (error) => done({ code: null, signal: null, error }));
  });
  try {
    await waitForPort(port, exited, Date.now() + READY_TIMEOUT_MS);
  } catch (error) {
    child.kill('SIGKILL');
    const { error: spawnError } = await exited;
    const log = readLog(logFile).split('\n').slice(-15).join('\n');
    const details = [spawnError && String(spawnError), stderr.trim(), log.trim()].filter(Boolean).join('\n');
    const failure = new PgBouncerError(`${error.message}${details ? `\n--- PgBouncer output ---\n${details}` : ''}`);
    failure.portInUse = /Address already in use/i.test(details);
    throw failure;
  }
  return { child, port, exited, logFile, ini };
}

/**
 * Starts PgBouncer in transaction mode in front of the server of `upstreamUrl`.
 * @param {import('./pgbouncer').PgBouncerOptions} options
 * @returns {Promise<import('./pgbouncer').PgBouncer>}
 */
async function startPgBouncer(options) {
  const binary = findPgBouncer(options.binary);
  const upstream = new URL(options.upstreamUrl);
  const user = decodeURIComponent(upstream.username || 'postgres');
  const password = decodeURIComponent(upstream.password || '');
  const owner = userInfo().uid === 0 ? postgresUser() : undefined;

  // /tmp is world-traversable (1777), so the `postgres` user reaches a folder it owns there.
  const folder = await mkdtemp(join(options.dir ?? tmpdir(), 'pgbouncer-'));
  const users = join(folder, 'users.txt');
  await writeFile(users, `${quoted(user)} ${quoted(password)}\n`, { mode: 0o600 });
  if (owner) {
    await chown(folder, owner.uid, owner.gid);
    await chown(users, owner.uid, owner.gid);
  }

  let started;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        started = await launch(binary, options, upstream, folder, owner);
        break;
      } catch (error) {
        // Another process took the free port between freePort() and PgBouncer's bind: pick another.
        if (!error.portInUse || options.port !== undefined || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  const { child, port, exited, logFile } = started;
  const watchdog = startWatchdog(child.pid, options.keepFiles ? undefined : folder);
  const onExit = () => {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);

  const credentials = `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}`;
  const url = (database = decodeURIComponent(upstream.pathname.replace(/^\//, '')) || 'postgres') =>
    `postgres://${credentials}@${HOST}:${port}/${encodeURIComponent(database)}`;

  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      process.removeListener('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      if (!options.keepFiles) await rm(folder, { recursive: true, force: true });
      // The watchdog sees its pipe close and exits (PgBouncer and its folder are gone already).
      watchdog?.stdin.destroy();
    })());

  return {
    port,
    pid: child.pid,
    folder,
    url,
    adminUrl: () => url('pgbouncer'),
    log: () => readLog(logFile),
    exited: exited.then(() => undefined),
    stop,
  };
}

/**
 * Whether tests that need PgBouncer can run here. `npm test` must pass on a fresh machine without
 * system packages, so when pgbouncer is missing those tests are skipped and say so aloud, unless
 * REQUIRE_PGBOUNCER=1 (set by .ci/run, which installs the package): then the missing binary is an error.
 * Returns the reason for skipping, or undefined when PgBouncer is available.
 */
function pgBouncerMissing(binary) {
  try {
    findPgBouncer(binary);
    return undefined;
  } catch (error) {
    if (process.env.REQUIRE_PGBOUNCER === '1') throw error;
    return error instanceof Error ? error.message : String(error);
  }
}

module.exports = { startPgBouncer, findPgBouncer, pgBouncerMissing, PgBouncerError };
