import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO } from './service-process';

/**
 * A dedicated PostgreSQL cluster (never the shared test server) that a test can stop and start on
 * the same port. Controlled through test/system/support/pg-cluster.js in a child Node process.
 */
export interface DedicatedCluster {
  /** postgres://…/postgres of the cluster. */
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * SIGSTOP every process of the cluster, the postmaster first (so it forks no new backend), then
   * each of its children (backends and auxiliary processes): the server is frozen, its sockets stay
   * open and the kernel still accepts connections, but nothing answers. Returns the pids stopped.
   */
  freeze(): number[];
  /** SIGCONT whatever `freeze` stopped. */
  thaw(): void;
  /** Stops it and deletes its folder. */
  destroy(): Promise<void>;
}

export async function startDedicatedCluster(): Promise<DedicatedCluster> {
  const dataDir = join(REPO, '.data', `system-pg-${randomBytes(4).toString('hex')}`);
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'pg-cluster.js'), dataDir], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString('utf8')).slice(-4000)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else early.push(line);
  });
  const nextLine = () =>
    new Promise<string>((done, fail) => {
      const line = early.shift();
      if (line !== undefined) return done(line);
      waiting.push(done);
      void exited.then(() => fail(new Error(`pg-cluster exited:\n${errors}`)));
    });
  const command = async (name: string, expected: string) => {
    child.stdin!.write(`${name}\n`);
    const answer = await nextLine();
    if (answer !== expected) throw new Error(`pg-cluster ${name}: ${answer}\n${errors}`);
  };

  let frozen: number[] = [];
  const thaw = () => {
    for (const pid of frozen.reverse()) signal(pid, 'SIGCONT');
    frozen = [];
  };

  const ready = await nextLine();
  if (!ready.startsWith('READY ')) throw new Error(`pg-cluster did not start: ${ready}\n${errors}`);
  return {
    url: ready.slice('READY '.length),
    stop: () => command('stop', 'STOPPED'),
    start: () => command('start', 'STARTED'),
    freeze: () => {
      const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      signal(postmaster, 'SIGSTOP');
      frozen.push(postmaster);
      for (const child of childrenOf(postmaster)) if (signal(child, 'SIGSTOP')) frozen.push(child);
      return [...frozen];
    },
    thaw,
    destroy: async () => {
      thaw();
      child.stdin!.end('quit\n');
      await exited;
    },
  };
}

/** Sends `name` to `pid`; false when the process is already gone. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** The direct children of `parent`, from /proc (Linux). */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid …": comm may contain spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === parent) children.push(Number(entry));
  }
  return children;
}
