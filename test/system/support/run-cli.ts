import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './service-process';

export const CLI = join(REPO, 'dist/apps/api/apps/api/src/cli.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The compiled CLI as a user runs it (`node dist/…/cli.js`), in its own process and DATA_DIR. */
export function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cli-'));
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', NO_COLOR: '1', DATA_DIR: dataDir, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(stdin ?? '');
  return new Promise((done) =>
    child.once('close', (code) => {
      rmSync(dataDir, { recursive: true, force: true });
      done({ code, stdout, stderr });
    }),
  );
}

/** `--json` output: exactly one line holding one JSON object. */
export function parseOneJsonObject(result: CliResult): any {
  const lines = result.stdout.trim().split('\n');
  if (result.code !== 0 || lines.length !== 1) {
    throw new Error(`expected exit 0 and one JSON line, got ${result.code}:\n${result.stdout}\n${result.stderr}`);
  }
  return JSON.parse(lines[0]);
}
