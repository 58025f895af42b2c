import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load-config';

describe('loadConfig: METRICS_TOKEN, METRICS_PORT, METRICS_HOST', () => {
  let dataDir: string;
  const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env }, { cwd: dataDir, log: () => undefined });
  const problemsOf = (env: Record<string, string>): readonly string[] => {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'metrics-config-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('neither set: metrics are not exposed', () => {
    expect(load({}).metrics).toBeUndefined();
  });

  it('a token alone: the public port, behind the token', () => {
    expect(load({ METRICS_TOKEN: 't'.repeat(16) }).metrics).toEqual({ token: 't'.repeat(16), host: '127.0.0.1' });
  });

  it('a port: its own listener, on loopback unless METRICS_HOST says otherwise', () => {
    expect(load({ METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(load({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ port: 9464, host: '0.0.0.0' });
  });

  it('refuses a short token and a port that is not one', () => {
    expect(problemsOf({ METRICS_TOKEN: 'short' })).toEqual([expect.stringMatching(/^METRICS_TOKEN: must be at least 16 characters/)]);
    expect(problemsOf({ METRICS_PORT: '70000' })).toEqual([expect.stringMatching(/^METRICS_PORT: must be between 1 and 65535/)]);
    expect(problemsOf({ METRICS_PORT: 'http' })).toEqual([expect.stringMatching(/^METRICS_PORT: must be a whole number/)]);
  });
});
