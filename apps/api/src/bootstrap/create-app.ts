import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/app-config';
import { configureHttp } from '../http/configure-http';
import { answerClientError, answerFrameworkError, MAX_PARAM_LENGTH } from '../http/framework-errors';
import { installMetrics } from '../metrics/metrics-http';
import { ServiceMetrics } from '../metrics/service-metrics';
import { installAccessLog } from '../logging/access-log';
import { createRootLogger, PinoNestLogger } from '../logging/create-logger';
import { requestIdFor } from '../logging/request-id';

export interface CreateAppOptions {
  /**
   * Let Nest close the app on SIGINT/SIGTERM (default true). `main.ts` turns it off: it closes
   * the app itself and then stops the embedded PostgreSQL, in that order.
   */
  readonly shutdownHooks?: boolean;
  /** The process's logger (main.ts builds it before the app, for its own start-up lines). Default: one built from `config`. */
  readonly logger?: PinoNestLogger;
}

/**
 * The HTTP application, configured but not listening: call `listen(port, host)`. Only the metrics
 * listener (METRICS_PORT, README "Metrics") is already open when configured; `close()` closes it.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // request.ip from X-Forwarded-For only when the socket's peer is a listed proxy (TRUST_PROXY).
    ...(config.trustProxy?.length ? { trustProxy: config.trustProxy.join(',') } : {}),
    // return503OnClosing off: requests arriving while we drain get our own 503 (connection-draining.ts).
    return503OnClosing: false,
    // Errors answered before Nest sees the request, in the service's error shape (framework-errors.ts).
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // request.id: the caller's X-Request-Id when sane, else a UUID (logging/request-id.ts).
    genReqId: (request: IncomingMessage) => requestIdFor(request.headers),
  });
  const logger = options.logger ?? new PinoNestLogger(createRootLogger({ levels: config.logLevels, format: config.logFormat }));
  // Before Nest adds its hooks: every request gets its X-Request-Id header and its access line.
  installAccessLog(adapter.getInstance(), logger.pino);
  // Only JSON bodies are parsed. Nest's body parsers are off (they add a form-urlencoded one) and
  // Fastify's built-in text/plain parser is removed: any other content type is a 415 that says to
  // send application/json (HttpExceptionFilter), instead of reaching validation as a string.
  adapter.getInstance().removeContentTypeParser('text/plain');
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger,
    abortOnError: false,
    bodyParser: false,
  });
  try {
    await installMetrics(app, app.get(ServiceMetrics), config.metrics);
  } catch (error) {
    await app.close(); // e.g. METRICS_PORT taken: nothing stays open
    throw error;
  }
  configureHttp(app, config);
  if (options.shutdownHooks ?? true) app.enableShutdownHooks();
  return app;
}
