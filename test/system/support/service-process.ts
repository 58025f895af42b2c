import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { directUrlOf } from '../../support/database-guard';

export const REPO = resolve(__dirname, '..', '..', '..');
export const MAIN = join(REPO, 'dist/apps/api/apps/api/src/main.js');

/** Secrets shared by every instance of one test (they must decrypt each other's rows). */
export interface SharedSecrets {
  readonly ENCRYPTION_KEYS: string;
  readonly JWT_SECRET: string;
}

export function sharedSecrets(): SharedSecrets {
  return {
    ENCRYPTION_KEYS: `sys-1:${randomBytes(32).toString('base64')}`,
    JWT_SECRET: randomBytes(48).toString('base64url'),
  };
}

/** What the first start on an empty database prints once (bootstrapFirstOrganization). */
export interface BootstrapSecrets {
  readonly apiKey: string;
  readonly environmentId: string;
  readonly sessionToken: string;
}

export interface ServiceProcess {
  readonly name: string;
  readonly baseUrl: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** Set when this process bootstrapped the organization of an empty database. */
  bootstrap?: BootstrapSecrets;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<number | string>;
  /** SIGTERM, and wait for the exit code. */
  stop(): Promise<number | string>;
}

export interface StartServiceOptions {
  readonly name: string;
  readonly databaseUrl: string;
  readonly secrets: SharedSecrets;
  /** Wait for the bootstrap secrets (first instance on an empty database). */
  readonly expectBootstrap?: boolean;
  readonly env?: Record<string, string>;
}

/**
 * `node dist/apps/api/apps/api/src/main.js` as a separate process on a free port of 127.0.0.1,
 * resolved once `GET /health/ready` answers 200. Needs `npm run build` (npm test's pretest does it).
 */
export async function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does it in pretest)`);
  const dataDir = mkdtempSync(join(tmpdir(), `system-${options.name}-`));
  const child = spawn(process.execPath, [MAIN], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: options.databaseUrl,
      // Through the test PgBouncer (TEST_PGBOUNCER=1): LISTEN and the start-up default go direct.
      ...(directUrlOf(options.databaseUrl) !== undefined ? { DATABASE_DIRECT_URL: directUrlOf(options.databaseUrl)! } : {}),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'log',
      NO_COLOR: '1',
      // Budgets no system test reaches unless it sets its own (the races send 50 requests per key at once).
      RATE_LIMIT_READS_PER_MINUTE: '100000000',
      RATE_LIMIT_WRITES_PER_MINUTE: '100000000',
      RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '100000000',
      ...options.secrets,
      ...(options.env ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => {
      rmSync(dataDir, { recursive: true, force: true });
      done(code ?? signal ?? 'unknown');
    }),
  );

  const waitFor = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((done, fail) => {
      const check = () => {
        const match = pattern.exec(text);
        if (match) {
          listeners.delete(check);
          done(match);
        }
      };
      listeners.add(check);
      void exited.then((code) => {
        listeners.delete(check);
        fail(new Error(`service ${options.name} exited (${code}) before printing ${pattern}:\n${text.slice(-3000)}`));
      });
      check();
    });

  try {
    const [, baseUrl] = await waitFor(/Listening on (http:\/\/\S+)/);
    let bootstrap: BootstrapSecrets | undefined;
    if (options.expectBootstrap) {
      const [, apiKey, environmentId] = await waitFor(/Development API key: (\S+)\s+\(environment (\S+)\)/);
      const [, sessionToken] = await waitFor(/Session token \(Development\): (\S+)/);
      bootstrap = { apiKey, environmentId, sessionToken };
    }
    await waitUntilReady(baseUrl, exited);
    const service: ServiceProcess = {
      name: options.name,
      baseUrl,
      child,
      output: () => text,
      exited,
      bootstrap,
      kill: async () => {
        child.kill('SIGKILL');
        return exited;
      },
      stop: async () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
    return service;
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
}

/** Polls GET /health/ready until 200 (each poll waits for the previous answer). */
export async function waitUntilReady(baseUrl: string, exited?: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited?.then(() => (gone = true));
  for (let attempt = 0; attempt < 1_000; attempt++) {
    if (gone) throw new Error(`${baseUrl} exited before it was ready`);
    const status = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((done) => setTimeout(done, 20)); // polling interval, not a synchronisation
  }
  throw new Error(`${baseUrl}/health/ready never answered 200`);
}

/** Figures for the lead's report, printed straight to the terminal (not Jest's console buffer). */
export function report(title: string, figures: Record<string, unknown>): void {
  process.stdout.write(
    `\n[system] ${title}\n${Object.entries(figures)
      .map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join('\n')}\n`,
  );
}

/** A histogram of values. */
export function tally(values: readonly (string | number)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}
