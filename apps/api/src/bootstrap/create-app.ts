import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/app-config';
import { configureHttp } from '../http/configure-http';

export interface CreateAppOptions {
  /**
   * Let Nest close the app on SIGINT/SIGTERM (default true). `main.ts` turns it off: it closes
   * the app itself and then stops the embedded PostgreSQL, in that order.
   */
  readonly shutdownHooks?: boolean;
}

/** The HTTP application, configured but not listening: call `listen(port, host)`. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    // return503OnClosing off: requests arriving while we drain get our own 503 (connection-draining.ts).
    new FastifyAdapter({ bodyLimit: config.bodyLimitBytes, return503OnClosing: false }),
    { logger: [...config.logLevels], abortOnError: false },
  );
  configureHttp(app, config);
  if (options.shutdownHooks ?? true) app.enableShutdownHooks();
  return app;
}
