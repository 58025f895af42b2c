/** Environment variable through which globalSetup hands the PostgreSQL server to the test workers. */
export const TEST_DATABASE_SERVER_ENV = 'TEST_DATABASE_SERVER_URL';

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
