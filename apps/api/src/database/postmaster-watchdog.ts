import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The embedded PostgreSQL runs as a process of its own: when the service dies by SIGKILL (or the
 * OOM killer) nothing stops it, and it keeps the data folder and its port. The watchdog is a tiny
 * second Node process that holds the read end of a pipe from the service. The kernel closes the
 * pipe when the service dies, however it dies; the watchdog then asks the postmaster for a fast
 * shutdown (SIGINT) and exits. Event-driven: it waits on the pipe, it never polls.
 *
 * It never outlives its postmaster: the service closes the pipe as soon as the postmaster exits
 * (clean stop or crash), and before signalling, the watchdog checks that the pid still belongs to
 * the same process (Linux: the start time in /proc/<pid>/stat), so a recycled pid is never hit.
 * It ignores SIGINT, SIGTERM and SIGHUP: Ctrl-C reaches the whole foreground process group, and
 * the watchdog must survive it until the service has finished its own shutdown.
 *
 * Plain JavaScript passed with `node -e`, so it runs the same from the compiled service, the CLI
 * and Jest's globalSetup (no file to locate, no TypeScript to compile).
 */
const WATCHDOG_SCRIPT = String.raw`
'use strict';
const { readFileSync } = require('node:fs');
const pid = Number(process.argv[1]);
const startTime = process.argv[2];
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => undefined);
function startTimeOf(target) {
  try {
    const stat = readFileSync('/proc/' + target + '/stat', 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
let done = false;
function stop() {
  if (done) return;
  done = true;
  const now = startTimeOf(pid);
  const same = startTime === '-' ? now === undefined : now === startTime;
  if (same) {
    try {
      process.kill(pid, 'SIGINT');
    } catch {}
  }
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
`;

export interface PostmasterWatchdog {
  /** The watchdog's own pid (for tests and logs). */
  readonly pid: number | undefined;
  /** The postmaster is gone (stopped or exited): let the watchdog exit without signalling. */
  release(): void;
}

/**
 * Starts the watchdog of `postmasterPid`. Neither the child nor its pipe keeps the service's event
 * loop alive.
 */
export function startPostmasterWatchdog(postmasterPid: number): PostmasterWatchdog {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', WATCHDOG_SCRIPT, String(postmasterPid), processStartTime(postmasterPid) ?? '-'],
    {
      // Not NODE_OPTIONS & co.: a --require hook of the parent has no business in the watchdog.
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  child.on('error', () => undefined); // could not spawn: no watchdog, the service still runs
  child.stdin?.on('error', () => undefined); // EPIPE if the watchdog is gone
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let released = false;
  return {
    pid: child.pid,
    release: () => {
      if (released) return;
      released = true;
      child.stdin?.destroy();
    },
  };
}

/** Linux: the process's start time (clock ticks since boot), field 22 of /proc/<pid>/stat. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
