import { Controller, Get, HttpCode, HttpStatus, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DatabaseHealth } from '../database/database-health';
import { NoEnvelope } from '../http/no-envelope';
import { serviceVersion } from '../version';

export const DATABASE_DOWN_MESSAGE = 'The database is not reachable';

export interface HealthOptions {
  /** How long `ready` waits for PostgreSQL (DATABASE_CONNECT_TIMEOUT_MS). */
  readonly connectTimeoutMs: number;
}

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

/**
 * Probes for load balancers and orchestrators. No authentication, no `{data}` envelope (probes read
 * the status code; the bodies are small and stable). Failures use the standard error body.
 * - `GET /health/live`: the process serves HTTP (200 even when PostgreSQL is down: restarting the
 *   process would not help);
 * - `GET /health/ready`: PostgreSQL answers within DATABASE_CONNECT_TIMEOUT_MS → 200, else 503.
 * Both report `version`, the service's package.json version.
 */
@ApiExcludeController()
@NoEnvelope()
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: DatabaseHealth,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
  ) {}

  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'ok'; version: string } {
    return { status: 'ok', version: serviceVersion() };
  }

  @Get('ready')
  @HttpCode(HttpStatus.OK)
  async ready(): Promise<{ status: 'ok'; database: 'up'; version: string }> {
    if (!(await this.database.isReachable(this.options.connectTimeoutMs))) {
      throw new ServiceUnavailableException(DATABASE_DOWN_MESSAGE);
    }
    return { status: 'ok', database: 'up', version: serviceVersion() };
  }
}
