import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { REPO } from './support/service-process';

jest.setTimeout(120_000);

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const LIBRARY = join(REPO, 'libs/integrations');
const PACKAGE = JSON.parse(readFileSync(join(LIBRARY, 'package.json'), 'utf8')) as {
  name: string;
  peerDependencies: Record<string, string>;
};

/** The version installed in the repository: the host asks for exactly what the repository is tested with. */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(suffix))
    .map((file) => join(dir, file));
}

interface HostOutput {
  readonly migrations: string[];
  readonly foreignKeys: string[];
  readonly created: Record<string, unknown>[];
  readonly refused?: { isIntegrationError: boolean; code: string };
  readonly select:
    | 'missing'
    | {
        integration?: Record<string, unknown>;
        fallbacks: Record<string, unknown>[];
        candidates: { id: string; selected: boolean }[];
      };
}

/**
 * The library as another service installs it: `npm pack` of the built package, a host project in the
 * OS temp folder (outside the repository, so nothing resolves through the repository's node_modules)
 * with its own package.json, `npm install`, and a plain-JS Nest application that runs the library's
 * migrations on an empty PostgreSQL database.
 *
 * The install is offline: the host starts from a copy of the repository's package-lock.json, so npm
 * takes the locked versions (the ones this repository is tested with) from the npm cache that the
 * repository's own install filled, reads the tarball's manifest, and prunes everything the host does
 * not need — no registry metadata required. Should the cache lack a tarball, a normal install follows.
 */
describe('the packed library in a host project outside the repository', () => {
  let workdir: string;
  let host: string;
  let database: TestDatabase;
  let output: HostOutput;
  let installLog: string;

  beforeAll(async () => {
    await run(NPM, ['run', '-s', 'build:lib'], { cwd: REPO });
    workdir = mkdtempSync(join(tmpdir(), 'packed-library-'));
    const packed = await run(NPM, ['pack', LIBRARY, '--pack-destination', workdir, '--json', '--silent'], { cwd: REPO });
    const [{ filename }] = JSON.parse(packed.stdout) as { filename: string }[];

    host = join(workdir, 'worker');
    mkdirSync(host);
    const peers = Object.fromEntries(Object.keys(PACKAGE.peerDependencies).map((name) => [name, installedVersion(name)]));
    writeFileSync(
      join(host, 'package.json'),
      JSON.stringify(
        {
          name: 'packed-library-worker',
          version: '1.0.0',
          private: true,
          dependencies: { [PACKAGE.name]: `file:../${filename}`, ...peers },
        },
        null,
        2,
      ),
    );
    copyFileSync(join(REPO, 'package-lock.json'), join(host, 'package-lock.json'));
    copyFileSync(join(REPO, 'test/system/support/packed-host/main.js'), join(host, 'main.js'));
    const install = ['install', '--no-audit', '--no-fund', '--ignore-scripts'];
    try {
      installLog = (await run(NPM, [...install, '--offline'], { cwd: host })).stderr;
    } catch (offline) {
      installLog = `offline install failed (${(offline as Error).message.split('\n')[0]}); installing from the registry\n`;
      installLog += (await run(NPM, [...install, '--prefer-offline'], { cwd: host })).stderr;
    }

    database = await createTestDatabase({ migrated: false });
    const result = await run(process.execPath, ['main.js'], {
      cwd: host,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, ENCRYPTION_KEY: randomBytes(32).toString('base64') },
    });
    output = JSON.parse(result.stdout) as HostOutput;
  });

  afterAll(async () => {
    await database?.drop();
    if (workdir) rmSync(workdir, { recursive: true, force: true });
  });

  it('is built to CommonJS with type declarations, and the emitted code names no path alias', () => {
    const dist = join(LIBRARY, 'dist');
    const js = files(dist, '.js');
    expect(js.map((file) => relative(dist, file))).toEqual(expect.arrayContaining(['index.js', 'integrations.module.js']));
    expect(files(dist, '.d.ts').map((file) => relative(dist, file))).toContain('index.d.ts');
    const aliased = js.filter((file) => /require\("@app\//.test(readFileSync(file, 'utf8')));
    expect(aliased).toEqual([]);
    expect(readFileSync(join(dist, 'index.js'), 'utf8')).toMatch(/^"use strict";/);
  });

  it('installs from the tarball with its dependencies; the peers are the host’s own single copies', () => {
    const installed = join(host, 'node_modules', PACKAGE.name);
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(files(join(installed, 'dist'), '.spec.js')).toEqual([]);
    // providers.json travels with the code (the provider catalog is read from it).
    expect(readdirSync(join(installed, 'dist/domain'))).toContain('providers.json');
    for (const peer of Object.keys(PACKAGE.peerDependencies)) {
      expect(readdirSync(join(host, 'node_modules', peer))).toContain('package.json');
      // Never a second copy under the library: one Nest, one TypeORM per process.
      expect(() => readdirSync(join(installed, 'node_modules', peer))).toThrow();
    }
    expect(readdirSync(join(host, 'node_modules'))).toEqual(expect.arrayContaining(['ipaddr.js', 'nodemailer']));
    expect(installLog).not.toMatch(/npm error/);
  });

  it("runs the library's migrations next to the host's own, without a foreign key to a table it does not own", () => {
    expect(output.migrations).toEqual([
      'CreateWorkspaces1700000000000',
      'CreateIntegrations1764000001000',
      'OrganizationInIntegrationKeys1764200000000',
    ]);
    expect(output.foreignKeys).toEqual([]);
  });

  it("creates integrations in the host's environments, through the host's EnvironmentDirectory", () => {
    const [first, second] = output.created;
    expect(first).toMatchObject({ identifier: 'first', providerId: 'sendgrid', channel: 'email', active: true, primary: true });
    expect(second).toMatchObject({ identifier: 'second', active: true, primary: false });
    expect(first.credentials).toEqual({ apiKey: 'SG.packed-secret', from: 'worker@example.com', senderName: 'Worker' });
    // An environment the host's directory does not know is refused with the library's own error.
    expect(output.refused).toEqual({ isIntegrationError: true, code: 'ENVIRONMENT_NOT_FOUND' });
  });

  it('selects the integration that delivers an email, with the fallback chain', () => {
    if (output.select === 'missing') throw new Error('SelectIntegration missing from the package');
    const [first, second] = output.created;
    expect(output.select.integration).toMatchObject({ id: first.id, credentials: first.credentials });
    expect(output.select.fallbacks.map((integration) => integration.id)).toEqual([second.id]);
    expect(output.select.candidates).toEqual(
      expect.arrayContaining([
        { id: first.id, selected: true },
        { id: second.id, selected: false },
      ]),
    );
  });
});
