import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { ApiValidationPipe } from './api-validation.pipe';
import { DataEnvelopeInterceptor } from './data-envelope.interceptor';
import { DomainErrorFilter } from './domain-error.filter';
import { HttpExceptionFilter } from './http-exception.filter';
import { setupSwagger } from './swagger';
import { UnhandledExceptionFilter } from './unhandled-exception.filter';

/**
 * The HTTP conventions of the service (spec §1): validation (422 with dotted paths), the `{data}`
 * envelope, the error body for every failure, and the OpenAPI document at /api and /api-json.
 * Call once, before `app.init()` / `listen()`.
 */
export function configureHttp(app: NestFastifyApplication, config: AppConfig): void {
  app.useGlobalPipes(new ApiValidationPipe());
  app.useGlobalInterceptors(new DataEnvelopeInterceptor());
  // Nest tries global filters last-registered first: domain errors, then HttpExceptions, then anything.
  app.useGlobalFilters(new UnhandledExceptionFilter(), new HttpExceptionFilter(), new DomainErrorFilter());
  setupSwagger(app, config);
}
