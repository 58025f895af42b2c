import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { MAIN, REPO, waitUntilReady } from './support/service-process';

jest.setTimeout(180_000);

/** How long a process may take to go away after its signal (a bound, not a measured time). */
const GONE_WITHIN_MS = 20_000;

/** One `npm start` in its own process group, so that whatever it leaves behind can be cleaned up. */
interface NpmStart {
  readonly npm: ChildProcess;
  readonly exited: Promise<number | string>;
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

/** Descendants of `root` (children first), read from /proc. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), parent);
    } catch {
      // exited while we were reading
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const current = queue.shift()!;
    for (const [pid, parent] of parents) {
      if (parent === current) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Alive and not a zombie (an orphan's zombie waits for whatever reaps it: it holds no port). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Polls /proc until every pid is gone or the bound passes; answers those still alive. */
async function stillAliveAfterBound(pids: readonly number[]): Promise<number[]> {
  const deadline = Date.now() + GONE_WITHIN_MS;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
  return pids.filter(alive);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The postmaster's pid and port, from the first and fourth lines of postmaster.pid. */
function postmasterOf(dataDir: string): { pid: number; port: number } {
  const lines = readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/**
 * The processes `npm start` runs: npm, node (main.js), the embedded postmaster, its watchdog. The
 * postmaster's children (checkpointer, walwriter, …) count too: none may be left.
 */
function processTree(start: NpmStart): { node: number; all: number[] } {
  const all = descendants(start.npm.pid!);
  const node = all.find((pid) => commandLine(pid).includes('main.js'));
  if (node === undefined) throw new Error(`no node main.js under npm:\n${all.map(commandLine).join('\n')}`);
  return { node, all: [start.npm.pid!, ...all] };
}

describe('npm start: signals stop everything it started', () => {
  let dataDir: string;
  let port: number;
  const groups: number[] = [];
  const starts: NpmStart[] = [];

  /** `npm start` without its prestart build (the suite needs `npm run build` first), like a user's terminal. */
  function npmStart(): NpmStart {
    const npm = spawn('npm', ['start', '--ignore-scripts'], {
      cwd: REPO,
      env: {
        // The Node running this test first, so npm (a `#!/usr/bin/env node` script) and the service use it.
        PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
        HOME: process.env.HOME ?? tmpdir(),
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'log',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, like a shell's job
    });
    groups.push(npm.pid!);
    let text = '';
    const listeners = new Set<() => void>();
    const append = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      for (const listener of [...listeners]) listener();
    };
    npm.stdout!.on('data', append);
    npm.stderr!.on('data', append);
    const exited = new Promise<number | string>((done) => npm.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
    const waitFor = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((done, fail) => {
        const check = () => {
          const match = pattern.exec(text);
          if (!match) return;
          listeners.delete(check);
          done(match);
        };
        listeners.add(check);
        void exited.then((code) => {
          if (!listeners.delete(check)) return;
          fail(new Error(`npm start exited (${code}) before printing ${pattern}:\n${text.slice(-3000)}`));
        });
        check();
      });
    const start = { npm, exited, output: () => text, waitFor };
    starts.push(start);
    return start;
  }

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does it in pretest)`);
    dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
    port = await freePort();
  });

  afterAll(() => {
    // Whatever a failed run left behind: each npm start's process group (node, postgres, watchdog).
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  let apiKey: string;
  /** On a failure, what the processes printed is what explains it: add it to the error. */
  const explained = (body: () => Promise<void>) => async () => {
    try {
      await body();
    } catch (error) {
      const outputs = starts.map((start, index) => `--- npm start #${index + 1} ---\n${start.output().slice(-4000)}`).join('\n');
      if (error instanceof Error) error.message += `\n${outputs}`;
      throw error;
    }
  };

  it(
    'SIGTERM to npm stops node, the embedded PostgreSQL and its watchdog, and frees the port',
    explained(async () => {
      const first = npmStart();
      const [, key] = await first.waitFor(/Development API key: (\S+)/);
      apiKey = key;
      await first.waitFor(/Session token \(Development\): \S+/); // the first start's bootstrap is over
      const [, baseUrl] = await first.waitFor(/Listening on (http:\/\/\S+)/);
      await waitUntilReady(baseUrl, first.exited);

      const tree = processTree(first);
      const postmaster = postmasterOf(dataDir);
      expect(tree.all).toContain(postmaster.pid);
      expect(tree.all.length).toBeGreaterThanOrEqual(4); // npm, node, postmaster (+ its children), watchdog

      process.kill(first.npm.pid!, 'SIGTERM'); // npm only, as `kill <pid>` or a process manager does
      expect(await first.exited).toBe(0);
      expect(await stillAliveAfterBound(tree.all)).toEqual([]);
      expect(first.output()).toContain('Shut down cleanly');
      expect(await portIsFree(port)).toBe(true);
      expect(await portIsFree(postmaster.port)).toBe(true);
    }),
  );

  it(
    'SIGKILL of node: the watchdog stops the embedded PostgreSQL, and the next start recovers',
    explained(async () => {
      const second = npmStart();
      const [, baseUrl] = await second.waitFor(/Listening on (http:\/\/\S+)/);
      await waitUntilReady(baseUrl, second.exited);
      const tree = processTree(second);
      const postmaster = postmasterOf(dataDir);
      expect(tree.all).toContain(postmaster.pid);

      process.kill(tree.node, 'SIGKILL');
      await second.exited; // npm reports its child's death and exits
      expect(await stillAliveAfterBound(tree.all)).toEqual([]);
      expect(await portIsFree(port)).toBe(true);
      expect(await portIsFree(postmaster.port)).toBe(true);

      // The next start finds the data folder as a crash left it, starts, and still knows the API key.
      const third = npmStart();
      const [, thirdUrl] = await third.waitFor(/Listening on (http:\/\/\S+)/);
      await waitUntilReady(thirdUrl, third.exited);
      const response = await fetch(`${thirdUrl}/v1/integrations`, { headers: { Authorization: `ApiKey ${apiKey}` } });
      expect(response.status).toBe(200);
      expect(third.output()).not.toMatch(/EADDRINUSE|postmaster\.pid" already exists/);

      const thirdTree = processTree(third);
      process.kill(-third.npm.pid!, 'SIGINT'); // Ctrl-C: the terminal signals the whole foreground group
      expect(await third.exited).toBe(0);
      expect(await stillAliveAfterBound(thirdTree.all)).toEqual([]);
    }),
  );
});
