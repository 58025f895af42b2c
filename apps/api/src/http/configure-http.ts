import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { IdempotentReplayFilter } from '../idempotency/idempotent-replay';
import { ApiValidationPipe } from './api-validation.pipe';
import { BodyShapeInterceptor } from './body-shape.interceptor';
import { installConnectionDraining } from './connection-draining';
import { DataEnvelopeInterceptor } from './data-envelope.interceptor';
import { DomainErrorFilter } from './domain-error.filter';
import { HttpExceptionFilter } from './http-exception.filter';
import { setupSwagger } from './swagger';
import { UnhandledExceptionFilter } from './unhandled-exception.filter';

/**
 * The HTTP conventions of the service (docs/contract.md §1): validation (422 with dotted paths), the `{data}`
 * envelope, idempotency keys (docs/contract.md §5), the error body for every failure, and the OpenAPI document at /api and /api-json.
 * Call once, before `app.init()` / `listen()`.
 */
export function configureHttp(app: NestFastifyApplication, config: AppConfig): void {
  app.useGlobalPipes(new ApiValidationPipe());
  // First registered = outermost. Body shape first (before anything walks the body); then
  // idempotency, which stores and replays the enveloped body exactly as sent.
  app.useGlobalInterceptors(new BodyShapeInterceptor(), app.get(IdempotencyInterceptor), new DataEnvelopeInterceptor());
  // Nest tries global filters last-registered first: idempotent replays, domain errors, then
  // HttpExceptions, then anything (database unavailable → 503, else 500).
  app.useGlobalFilters(new UnhandledExceptionFilter(), new HttpExceptionFilter(), new DomainErrorFilter(), new IdempotentReplayFilter());
  installConnectionDraining(app);
  setupSwagger(app, config);
}
