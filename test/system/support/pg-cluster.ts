import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

  const ready = await nextLine();
  if (!ready.startsWith('READY ')) throw new Error(`pg-cluster did not start: ${ready}\n${errors}`);
  return {
    url: ready.slice('READY '.length),
    stop: () => command('stop', 'STOPPED'),
    start: () => command('start', 'STARTED'),
    destroy: async () => {
      child.stdin!.end('quit\n');
      await exited;
    },
  };
}
