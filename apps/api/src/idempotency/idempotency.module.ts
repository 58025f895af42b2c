import { DynamicModule, Module } from '@nestjs/common';
import { IdempotencyPurger } from './idempotency-purger';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { DEFAULT_IDEMPOTENCY_OPTIONS, IDEMPOTENCY_OPTIONS, IdempotencyOptions } from './idempotency.options';
import { IdempotencyStore } from './idempotency.store';
import { TypeOrmIdempotencyStore } from './infrastructure/typeorm-idempotency.store';

/**
 * The `idempotency-key` contract (spec §5). `configureHttp` installs `IdempotencyInterceptor` as the
 * outermost global interceptor. It injects the integrations library's exported UnitOfWork (the
 * library module is global in AppModule), so the use cases join the interceptor's transaction.
 */
@Module({})
export class IdempotencyModule {
  static forRoot(options: Partial<IdempotencyOptions> = {}): DynamicModule {
    return {
      module: IdempotencyModule,
      providers: [
        { provide: IDEMPOTENCY_OPTIONS, useValue: { ...DEFAULT_IDEMPOTENCY_OPTIONS, ...options } },
        { provide: IdempotencyStore, useClass: TypeOrmIdempotencyStore },
        IdempotencyInterceptor,
        IdempotencyPurger,
      ],
      exports: [IdempotencyInterceptor, IdempotencyPurger, IdempotencyStore],
    };
  }
}
