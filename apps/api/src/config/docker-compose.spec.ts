import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { load } from 'js-yaml';

/**
 * The structure of docker/compose.yaml (docs/deployment.md, "Docker Compose"): no Docker engine runs
 * here, so these read the parsed file and check what `docker compose up --scale api=3` relies on.
 */
interface Service {
  image?: string;
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  container_name?: string;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  volumes?: string[];
}

const DOCKER = resolve(__dirname, '../../../../docker');
const text = readFileSync(resolve(DOCKER, 'compose.yaml'), 'utf8');
const compose = load(text) as { services: Record<string, Service> };
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker/compose.yaml has no service ${name}`);
  return found;
};
const env = (name: string, variable: string): string => {
  const value = service(name).environment?.[variable];
  if (value === undefined) throw new Error(`service ${name} sets no ${variable}`);
  return String(value);
};

/** `postgres://integrations:${POSTGRES_PASSWORD:?…}@<host>:<port>/integrations` → host and port. */
function databaseTarget(url: string): { host: string; port: number } {
  const match = /^postgres:\/\/integrations:\$\{POSTGRES_PASSWORD:\?[^}]+\}@([a-z0-9-]+):(\d+)\/integrations$/.exec(url);
  if (!match) throw new Error(`not a URL with the password from the environment: ${url}`);
  return { host: match[1], port: Number(match[2]) };
}

describe('docker/compose.yaml (parsed; not run: no Docker engine here)', () => {
  it('interpolates every variable as ${NAME:?message}: Compose refuses to start while one is missing', () => {
    const interpolations = [...text.matchAll(/\$\{[^}]*\}/g)].map((match) => match[0]);
    expect(interpolations.length).toBeGreaterThanOrEqual(6);
    for (const interpolation of interpolations) expect(interpolation).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
  });

  it('gives the api no fixed host port and no container name, so --scale api=3 starts three replicas', () => {
    const api = service('api');
    expect(api.ports).toBeUndefined();
    expect(api.container_name).toBeUndefined();
    expect(api.expose).toEqual([env('api', 'PORT')]);
  });

  it('puts a load balancer on the host port, reaching every replica by the service name', () => {
    const lb = service('lb');
    expect(lb.image).toMatch(/^nginx:/);
    expect(lb.ports).toEqual(['127.0.0.1:3000:80']);
    expect(lb.volumes).toEqual(['./nginx.conf:/etc/nginx/conf.d/default.conf:ro']);
    const nginx = readFileSync(resolve(DOCKER, 'nginx.conf'), 'utf8');
    // Docker's DNS, re-read: a name in a variable is resolved per request (a literal one only at start-up).
    expect(nginx).toMatch(/^resolver 127\.0\.0\.11 valid=\d+s/m);
    const target = /^\s*set \$(\w+) http:\/\/api:(\d+);$/m.exec(nginx);
    expect(target?.[2]).toBe(env('api', 'PORT'));
    expect(nginx).toMatch(new RegExp(`^\\s*proxy_pass \\$${target?.[1]};$`, 'm'));
    // Failed connections go to the next replica; a POST already sent is never sent again.
    expect(nginx).toMatch(/^\s*proxy_next_upstream error timeout;$/m);
    expect(nginx).not.toMatch(/^\s*proxy_next_upstream[^;\n]*non_idempotent/m);
  });

  it('sends the api through PgBouncer in transaction mode, and LISTEN directly to PostgreSQL', () => {
    expect(databaseTarget(env('api', 'DATABASE_URL'))).toEqual({ host: 'pgbouncer', port: 5432 });
    expect(databaseTarget(env('api', 'DATABASE_DIRECT_URL'))).toEqual({ host: 'postgres', port: 5432 });
    expect(env('pgbouncer', 'POOL_MODE')).toBe('transaction');
    expect(env('pgbouncer', 'DB_HOST')).toBe('postgres');
    expect(env('pgbouncer', 'DB_NAME')).toBe('integrations');
    expect(env('pgbouncer', 'DB_USER')).toBe('integrations');
    expect(env('pgbouncer', 'DB_PASSWORD')).toBe(env('postgres', 'POSTGRES_PASSWORD'));
    // postgres:15 stores SCRAM secrets; PgBouncer needs the password itself to log in with SCRAM.
    expect(env('pgbouncer', 'AUTH_TYPE')).toBe('scram-sha-256');
    expect(service('pgbouncer').image).toMatch(/^edoburu\/pgbouncer:\d+\.\d+\.\d+$/);
    // Fails fast while the pool is exhausted (below the statement timeout, 5 s by default), recovers fast after an outage.
    expect(Number(env('pgbouncer', 'QUERY_WAIT_TIMEOUT'))).toBeLessThan(5);
    expect(Number(env('pgbouncer', 'SERVER_LOGIN_RETRY'))).toBeLessThanOrEqual(2);
  });

  it('starts the api once PostgreSQL and PgBouncer are healthy', () => {
    expect(service('pgbouncer').healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready']));
    expect(service('postgres').healthcheck).toBeDefined();
    expect(service('api').depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      pgbouncer: { condition: 'service_healthy' },
    });
  });

  it('sizes the pools for three replicas: client connections fit PgBouncer, server connections fit PostgreSQL', () => {
    const replicas = 3;
    const poolSize = Number(env('api', 'DATABASE_POOL_SIZE'));
    const listenPerReplica = 2; // the selection-cache and API-key revocation listeners (DATABASE_DIRECT_URL)
    const postgresMaxConnections = 100; // postgres:15's default; the compose file does not change it
    const superuserReserved = 3; // superuser_reserved_connections' default
    expect(replicas * poolSize + 1).toBeLessThanOrEqual(Number(env('pgbouncer', 'MAX_CLIENT_CONN'))); // + one CLI run
    expect(Number(env('pgbouncer', 'DEFAULT_POOL_SIZE')) + replicas * (listenPerReplica + 1)).toBeLessThan(
      postgresMaxConnections - superuserReserved,
    ); // + 1: each replica's short start-up connection (statement-timeout default) over the direct URL
  });

  it('shares the rate-limit budgets of all replicas in Redis', () => {
    expect(env('api', 'REDIS_URL')).toBe('redis://redis:6379');
    expect(service('redis').image).toMatch(/^redis:/);
  });

  it('keeps docker/nginx.conf next to the compose file', () => {
    expect(existsSync(resolve(DOCKER, 'nginx.conf'))).toBe(true);
  });
});
