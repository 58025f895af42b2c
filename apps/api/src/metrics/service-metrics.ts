import { ApiKeyLookupObserver } from '@app/tenancy';
import { CredentialsCheckObserver, CredentialsCheckReport, ProviderCatalog } from '@app/integrations';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { IDEMPOTENCY_OUTCOMES, IdempotencyOutcome, IdempotencyOutcomes } from '../idempotency/idempotency-outcomes';

/** What the pool gauges read: node-postgres's Pool (TypeORM's `driver.master`). */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/** Seconds; from a cached read (well under a millisecond) to a slow provider check through the request. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Methods a route of this service can have; anything else is counted as OTHER (a label must stay bounded). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The label of a request that matched no route (its URL is never a label: unbounded values). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Every metric the service exposes at /metrics (README "Metrics"), in a registry of its own: two
 * apps in one process (tests) do not share counters, and nothing registers in prom-client's global
 * registry. Label values are bounded: route templates, never URLs; provider ids of the catalog.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  private readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  private readonly requestsInFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests received and not yet answered',
    registers: [this.registry],
  });

  private readonly queryDuration = new Histogram({
    name: 'db_query_duration_seconds',
    help: 'Successful PostgreSQL queries (each statement, BEGIN/COMMIT included)',
    buckets: QUERY_BUCKETS,
    registers: [this.registry],
  });

  private readonly queryErrors = new Counter({
    name: 'db_query_errors_total',
    help: 'PostgreSQL queries that failed (constraint violations included)',
    registers: [this.registry],
  });

  private readonly idempotencyOutcomes = new Counter({
    name: 'idempotency_requests_total',
    help: 'Requests with an idempotency-key, by what the service did: stored, replayed, in-progress, mismatch, unverifiable',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly credentialsChecks = new Counter({
    name: 'credentials_checks_total',
    help: 'Credentials checks (check: true), by provider and outcome (verified, unsupported, failed); reason of a failure',
    labelNames: ['provider', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });

  private readonly apiKeyLookups = new Counter({
    name: 'api_key_cache_lookups_total',
    help: 'API-key authentications, by whether the in-process cache answered (hit) or the database (miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private pool: (() => PoolCounts | undefined) | undefined;

  /** Observers the libraries and the idempotency interceptor call (their ports; none knows prom-client). */
  readonly observers: {
    readonly credentialsChecks: CredentialsCheckObserver;
    readonly apiKeyLookups: ApiKeyLookupObserver;
    readonly idempotency: IdempotencyOutcomes;
  };

  constructor() {
    // Process and Node.js metrics: CPU, memory, file descriptors, GC, event-loop lag (nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry });
    this.poolGauge('db_pool_connections', 'Open PostgreSQL connections of the pool (idle and in use)', (pool) => pool.totalCount);
    this.poolGauge('db_pool_idle_connections', 'Open PostgreSQL connections of the pool not in use', (pool) => pool.idleCount);
    this.poolGauge('db_pool_waiting_requests', 'Queries waiting for a free pooled connection', (pool) => pool.waitingCount);
    // Known label values start at zero, so a rate() sees the first one.
    for (const outcome of IDEMPOTENCY_OUTCOMES) this.idempotencyOutcomes.inc({ outcome }, 0);
    for (const result of ['hit', 'miss'] as const) this.apiKeyLookups.inc({ result }, 0);

    this.observers = {
      credentialsChecks: new CountedCredentialsChecks(this.credentialsChecks),
      apiKeyLookups: new CountedApiKeyLookups(this.apiKeyLookups),
      idempotency: new CountedIdempotencyOutcomes(this.idempotencyOutcomes),
    };
  }

  /** The pool the gauges read when scraped (absent until the database is connected). */
  watchPool(pool: () => PoolCounts | undefined): void {
    this.pool = pool;
  }

  requestStarted(): void {
    this.requestsInFlight.inc();
  }

  requestFinished(): void {
    this.requestsInFlight.dec();
  }

  /** `route` is the matched route's template (`/v1/integrations/:integrationId`), undefined when none matched. */
  requestAnswered(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    const upper = method.toUpperCase();
    this.requestDuration.observe(
      { method: METHODS.has(upper) ? upper : 'OTHER', route: route ?? UNMATCHED_ROUTE, status_code: String(statusCode) },
      seconds,
    );
  }

  queryFinished(success: boolean, milliseconds: number | undefined): void {
    if (success && milliseconds !== undefined) this.queryDuration.observe(milliseconds / 1000);
    if (!success) this.queryErrors.inc();
  }

  /** The Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private poolGauge(name: string, help: string, read: (pool: PoolCounts) => number): void {
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: () => {
        const pool = this.pool?.();
        gauge.set(pool ? read(pool) : 0);
      },
    });
  }
}

class CountedCredentialsChecks extends CredentialsCheckObserver {
  constructor(private readonly counter: Counter<'provider' | 'outcome' | 'reason'>) {
    super();
  }

  checked(providerId: string, report: CredentialsCheckReport): void {
    // The library only checks catalog providers; the guard keeps the label bounded regardless.
    const provider = ProviderCatalog.find(providerId, 'delivery') ? providerId : 'other';
    this.counter.inc({ provider, outcome: report.outcome, reason: report.outcome === 'failed' ? report.reason : '' });
  }
}

class CountedApiKeyLookups extends ApiKeyLookupObserver {
  constructor(private readonly counter: Counter<'result'>) {
    super();
  }

  looked(up: 'hit' | 'miss'): void {
    this.counter.inc({ result: up });
  }
}

class CountedIdempotencyOutcomes extends IdempotencyOutcomes {
  constructor(private readonly counter: Counter<'outcome'>) {
    super();
  }

  record(outcome: IdempotencyOutcome): void {
    this.counter.inc({ outcome });
  }
}
