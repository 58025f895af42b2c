/** Environment variable through which globalSetup hands the PostgreSQL server to the test workers. */
export const TEST_DATABASE_SERVER_ENV = 'TEST_DATABASE_SERVER_URL';

/**
 * Set by globalSetup when TEST_PGBOUNCER=1: the same server through a real PgBouncer in transaction
 * mode (test/support/pgbouncer.js). Test databases' `url` then goes through it; admin work and
 * `directUrl` (DATABASE_DIRECT_URL of the service) stay on TEST_DATABASE_SERVER_URL.
 */
export const TEST_DATABASE_POOLED_SERVER_ENV = 'TEST_DATABASE_POOLED_SERVER_URL';

/** TEST_PGBOUNCER=1 (or true/yes): run the database suites' service connections through PgBouncer. */
export function pgBouncerRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.TEST_PGBOUNCER?.trim() ?? '');
}

/**
 * The direct URL of the database `url` names when `url` goes through the test PgBouncer (same host
 * and port as TEST_DATABASE_POOLED_SERVER_URL); undefined otherwise (already direct).
 */
export function directUrlOf(url: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const pooled = env[TEST_DATABASE_POOLED_SERVER_ENV];
  const direct = env[TEST_DATABASE_SERVER_ENV];
  if (!pooled || !direct) return undefined;
  const target = new URL(url);
  const bouncer = new URL(pooled);
  if (target.hostname !== bouncer.hostname || target.port !== bouncer.port) return undefined;
  return withDatabase(direct, databaseName(url));
}

/** Template database holding every migration; each test file copies it (CREATE DATABASE … TEMPLATE). */
export const TEMPLATE_DATABASE = 'integrations_test_template';

/** Prefix of the per-file databases (and of the template), so leftovers can be found and dropped. */
export const TEST_DATABASE_PREFIX = 'integrations_test_';

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/**
 * The test database guard: the suites create and drop databases, so they refuse to run against a
 * server whose DATABASE_URL does not name a database meant for tests.
 */
export function assertTestDatabaseUrl(url: string, variable = 'DATABASE_URL'): void {
  let name: string;
  try {
    name = databaseName(url);
  } catch {
    throw new Error(`${variable} is not a valid postgres:// URL`);
  }
  if (!/test/i.test(name)) {
    throw new Error(
      `Refusing to run the database test suites: the database of ${variable} is "${name}", whose name does not contain "test". ` +
        'The tests create and drop databases on that server; point DATABASE_URL at a test database ' +
        '(e.g. postgres://postgres@127.0.0.1:5432/test), or unset it to use a throwaway embedded PostgreSQL.',
    );
  }
}

/** The same server URL with another database. */
export function withDatabase(url: string, name: string): string {
  const next = new URL(url);
  next.pathname = `/${encodeURIComponent(name)}`;
  return next.toString();
}

/** For log lines: the URL without its password. */
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
