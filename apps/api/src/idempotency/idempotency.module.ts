import { DynamicModule, Module } from '@nestjs/common';
import { FingerprintSecret, IdempotencyFingerprints } from './idempotency-fingerprint';
import { IdempotencyPurger } from './idempotency-purger';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyOutcomes, IgnoredIdempotencyOutcomes } from './idempotency-outcomes';
import { DEFAULT_IDEMPOTENCY_OPTIONS, IDEMPOTENCY_OPTIONS, IdempotencyOptions } from './idempotency.options';
import { IdempotencyStore } from './idempotency.store';
import { TypeOrmIdempotencyStore } from './infrastructure/typeorm-idempotency.store';

/**
 * The `idempotency-key` contract (docs/contract.md §5). `configureHttp` installs `IdempotencyInterceptor` as the
 * outermost global interceptor. It imports the app's configured integrations library module (the
 * same object the HTTP module imports, hence the same instance) for its UnitOfWork, so the use
 * cases join the interceptor's transaction, and for its cipher, which encrypts stored responses.
 *
 * `fingerprintKeys` are the encryption keys (`ENCRYPTION_KEYS`): stored request fingerprints are
 * HMACs under keys derived from them, and rotate with them (the first signs, all verify).
 */
@Module({})
export class IdempotencyModule {
  static forRoot(
    options: {
      /** The app's `IntegrationsModule.forRoot(...)`. */
      integrations: DynamicModule;
      fingerprintKeys: readonly FingerprintSecret[];
      /** Told each decision (stored, replayed, in progress, mismatch), e.g. to count them. */
      outcomes?: IdempotencyOutcomes;
    } & Partial<IdempotencyOptions>,
  ): DynamicModule {
    const { integrations, fingerprintKeys, outcomes, ...tuning } = options;
    return {
      module: IdempotencyModule,
      imports: [integrations],
      providers: [
        { provide: IDEMPOTENCY_OPTIONS, useValue: { ...DEFAULT_IDEMPOTENCY_OPTIONS, ...tuning } },
        { provide: IdempotencyFingerprints, useFactory: () => new IdempotencyFingerprints(fingerprintKeys) },
        { provide: IdempotencyStore, useClass: TypeOrmIdempotencyStore },
        { provide: IdempotencyOutcomes, useValue: outcomes ?? new IgnoredIdempotencyOutcomes() },
        IdempotencyInterceptor,
        IdempotencyPurger,
      ],
      exports: [IdempotencyInterceptor, IdempotencyPurger, IdempotencyStore],
    };
  }
}
