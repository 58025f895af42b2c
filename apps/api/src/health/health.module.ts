import { Module } from '@nestjs/common';
import { DatabaseHealth } from '../database/database-health';
import { HealthController } from './health.controller';

/** `GET /health/live` and `GET /health/ready` (expects APP_CONFIG and the TypeORM DataSource globally). */
@Module({
  controllers: [HealthController],
  providers: [DatabaseHealth],
})
export class HealthModule {}
