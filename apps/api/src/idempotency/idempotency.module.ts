import { UnitOfWork } from '@app/integrations';
import { TypeOrmUnitOfWork } from '@app/integrations/infrastructure/typeorm/typeorm-unit-of-work';
import { DynamicModule, Module } from '@nestjs/common';
import { IdempotencyPurger } from './idempotency-purger';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { DEFAULT_IDEMPOTENCY_OPTIONS, IDEMPOTENCY_OPTIONS, IdempotencyOptions } from './idempotency.options';
import { IdempotencyStore } from './idempotency.store';
import { TypeOrmIdempotencyStore } from './infrastructure/typeorm-idempotency.store';

/**
 * The `idempotency-key` contract (spec §5). `configureHttp` installs `IdempotencyInterceptor` as the
 * outermost global interceptor. The UnitOfWork is the integrations library's transaction (a second
 * instance of its TypeORM unit of work shares the same async-local transaction, so the use cases
 * join the interceptor's transaction).
 */
@Module({})
export class IdempotencyModule {
  static forRoot(options: Partial<IdempotencyOptions> = {}): DynamicModule {
    return {
      module: IdempotencyModule,
      providers: [
        { provide: IDEMPOTENCY_OPTIONS, useValue: { ...DEFAULT_IDEMPOTENCY_OPTIONS, ...options } },
        { provide: IdempotencyStore, useClass: TypeOrmIdempotencyStore },
        { provide: UnitOfWork, useClass: TypeOrmUnitOfWork },
        IdempotencyInterceptor,
        IdempotencyPurger,
      ],
      exports: [IdempotencyInterceptor, IdempotencyPurger, IdempotencyStore],
    };
  }
}
