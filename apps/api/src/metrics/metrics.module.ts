import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { DataSource, EntitySubscriberInterface } from 'typeorm';
import type { AfterQueryEvent } from 'typeorm/subscriber/event/QueryEvent';
import { PoolCounts, ServiceMetrics } from './service-metrics';

/** Times every query TypeORM runs (its `afterQuery` event carries the duration). */
class QueryTimings implements EntitySubscriberInterface {
  constructor(private readonly metrics: ServiceMetrics) {}

  afterQuery(event: AfterQueryEvent): void {
    this.metrics.queryFinished(event.success, event.executionTime);
  }
}

/** Points the database metrics at the app's DataSource: its pg pool for the gauges, its queries for the histogram. */
@Injectable()
class DatabaseMetrics implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: ServiceMetrics,
  ) {}

  onModuleInit(): void {
    // TypeORM's postgres driver keeps its node-postgres Pool as `master` (set once connected).
    this.metrics.watchPool(() => (this.dataSource.driver as unknown as { master?: PoolCounts }).master);
    this.dataSource.subscribers.push(new QueryTimings(this.metrics));
  }
}

/**
 * The app's `ServiceMetrics` (one object, created by `AppModule.forRoot`, whose observers the
 * libraries and the idempotency module were given) as a provider, wired to the database.
 * `installMetrics` (metrics-http.ts) adds the HTTP side and the /metrics exposure.
 */
@Module({})
export class MetricsModule {
  static forRoot(metrics: ServiceMetrics): DynamicModule {
    return {
      module: MetricsModule,
      providers: [{ provide: ServiceMetrics, useValue: metrics }, DatabaseMetrics],
      exports: [ServiceMetrics],
    };
  }
}
