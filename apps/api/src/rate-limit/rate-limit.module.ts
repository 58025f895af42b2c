import { DynamicModule, Module } from '@nestjs/common';
import type { RateLimitSettings } from '../config/app-config';
import { RateLimits } from './rate-limits';

/** `RateLimits` for these settings: one instance (one Redis connection) per application. */
@Module({})
export class RateLimitModule {
  static forRoot(settings: RateLimitSettings): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [{ provide: RateLimits, useFactory: () => new RateLimits(settings) }],
      exports: [RateLimits],
    };
  }
}
