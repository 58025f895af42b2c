import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseHealth } from '../database/database-health';
import { HEALTH_OPTIONS, HealthController, HealthOptions } from './health.controller';

/** `GET /health/live` and `GET /health/ready` (the DataSource comes from the app's TypeOrmModule.forRoot). */
@Module({})
export class HealthModule {
  static forRoot(options: HealthOptions): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [DatabaseHealth, { provide: HEALTH_OPTIONS, useValue: options }],
    };
  }
}
