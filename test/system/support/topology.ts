import { pgBouncerRequested } from '../../support/database-guard';
import { PgBouncer, pgBouncerMissing, startPgBouncer } from '../../support/pgbouncer';
import { ServiceProcess, SharedSecrets, startService } from './service-process';

/**
 * How the service instances of a multi-instance system test reach PostgreSQL: N processes directly
 * connected, or N processes through one PgBouncer in transaction-pooling mode (each instance's
 * `LISTEN` on its own direct connection, `DATABASE_DIRECT_URL`). The specs run their scenarios once
 * per topology (`describe.each(topologies(...))`), so the directly connected coverage stays.
 *
 * `SYSTEM_TOPOLOGIES=direct` or `=pgbouncer` runs only one of them (default: both; only the
 * PgBouncer one under TEST_PGBOUNCER=1, the suites' pass through a pooler). Either way the route
 * starts from the database's direct URL: a topology never stacks its PgBouncer on the suite's.
 */
export interface Topology {
  /** For the describe title and the reports: "2 instances, direct" or "3 instances through PgBouncer". */
  readonly name: string;
  readonly instances: number;
  readonly pgbouncer: boolean;
}

/** The topologies selected by SYSTEM_TOPOLOGIES: `directInstances` directly connected, and 3 through PgBouncer. */
export function topologies(directInstances = 2): Topology[] {
  const all: Topology[] = [
    { name: `${directInstances} instance${directInstances === 1 ? '' : 's'}, direct`, instances: directInstances, pgbouncer: false },
    { name: '3 instances through PgBouncer', instances: 3, pgbouncer: true },
  ];
  const wanted = (process.env.SYSTEM_TOPOLOGIES ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of wanted) {
    if (name !== 'direct' && name !== 'pgbouncer') throw new Error(`SYSTEM_TOPOLOGIES: unknown topology "${name}" (direct, pgbouncer)`);
  }
  if (!wanted.length && pgBouncerRequested()) wanted.push('pgbouncer');
  const selected = wanted.length ? all.filter((topology) => wanted.includes(topology.pgbouncer ? 'pgbouncer' : 'direct')) : all;
  const missing = selected.some((topology) => topology.pgbouncer) ? pgBouncerMissing() : undefined;
  if (missing === undefined) return selected;
  // A fresh machine has no pgbouncer package: the PgBouncer topology is skipped, aloud.
  process.stderr.write(`[system topologies] SKIPPED "3 instances through PgBouncer": ${missing}\n`);
  return selected.filter((topology) => !topology.pgbouncer);
}

/** The database URLs of one topology for one database. */
export interface DatabaseRoute {
  /** DATABASE_URL of the instances: the database itself, or PgBouncer's pooled URL for it. */
  readonly serviceUrl: string;
  /** The database itself (what the test's own checks and a LISTEN use). */
  readonly directUrl: string;
  /** Environment of every instance: DATABASE_URL, and DATABASE_DIRECT_URL behind PgBouncer. */
  readonly env: Record<string, string>;
  /** The PgBouncer in between, if any. */
  readonly pgbouncer?: PgBouncer;
  /** Stops PgBouncer (a no-op when directly connected). */
  close(): Promise<void>;
}

/**
 * PgBouncer's server connections per database: fewer than the instances' pools together
 * (3 × DATABASE_POOL_SIZE 10), so that clients queue in PgBouncer as they would in production.
 */
export const PGBOUNCER_POOL_SIZE = 20;

/**
 * Routes `topology`'s instances to the database at `databaseUrl`, a direct URL (starting a
 * PgBouncer in front of its server when asked, with `pgbouncerSettings` on top of
 * test/support/pgbouncer.js's).
 */
export async function routeTo(
  topology: Topology,
  databaseUrl: string,
  pgbouncerSettings: Readonly<Record<string, string | number>> = {},
): Promise<DatabaseRoute> {
  if (!topology.pgbouncer) {
    return { serviceUrl: databaseUrl, directUrl: databaseUrl, env: { DATABASE_URL: databaseUrl }, close: async () => undefined };
  }
  const pgbouncer = await startPgBouncer({ upstreamUrl: databaseUrl, poolSize: PGBOUNCER_POOL_SIZE, settings: pgbouncerSettings });
  const database = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  const serviceUrl = pgbouncer.url(database);
  return {
    serviceUrl,
    directUrl: databaseUrl,
    env: { DATABASE_URL: serviceUrl, DATABASE_DIRECT_URL: databaseUrl },
    pgbouncer,
    close: () => pgbouncer.stop(),
  };
}

/** Instance names: `${prefix}-a`, `${prefix}-b`, `${prefix}-c`, … */
export const instanceName = (prefix: string, index: number): string => `${prefix}-${String.fromCharCode(97 + index)}`;

/**
 * Starts `topology.instances` service processes on `route`, one after the other: the first
 * bootstraps the organization of the empty database (its `bootstrap` holds the secrets).
 */
export async function startInstances(
  topology: Topology,
  route: DatabaseRoute,
  options: { prefix: string; secrets: SharedSecrets; env?: Record<string, string> },
): Promise<ServiceProcess[]> {
  const services: ServiceProcess[] = [];
  try {
    for (let index = 0; index < topology.instances; index++) {
      services.push(
        await startService({
          name: instanceName(options.prefix, index),
          databaseUrl: route.serviceUrl,
          secrets: options.secrets,
          expectBootstrap: index === 0,
          env: { ...route.env, ...(options.env ?? {}) },
        }),
      );
    }
  } catch (error) {
    await Promise.all(services.map((service) => service.kill()));
    throw error;
  }
  return services;
}
