import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BootstrapOrganization, BootstrapResult, OrganizationsQuery } from '@app/tenancy';
import { createApp } from './bootstrap/create-app';
import { resolveDatabase } from './bootstrap/resolve-database';
import { AppConfig } from './config/app-config';
import { ConfigError, loadConfig } from './config/load-config';
import { EmbeddedPostgresHandle } from './database/embedded-postgres';
import { startDraining } from './http/connection-draining';
import { createRootLogger, PinoNestLogger } from './logging/create-logger';
import { settlesWithin } from './shared/settles-within';

const logger = new Logger('Main');
/** Set once SIGINT/SIGTERM started the shutdown, which then owns the exit code. */
let shuttingDown = false;

async function main(): Promise<void> {
  // loadConfig's notices wait for the logger LOG_LEVEL and LOG_FORMAT describe; a ConfigError is
  // written by Nest's console logger, there being no valid LOG_FORMAT to follow.
  const notices: string[] = [];
  const env = loadConfig(process.env, { log: (message) => notices.push(message) });
  const processLogger = new PinoNestLogger(createRootLogger({ levels: env.logLevels, format: env.logFormat }));
  Logger.overrideLogger(processLogger);
  for (const notice of notices) logger.log(notice);
  const { config, embedded } = await resolveDatabase(env, (message) => logger.log(message));

  let app: NestFastifyApplication | undefined;
  const closeApp = once(async () => {
    if (app) startDraining(app);
    await app?.close();
  });
  // Graceful shutdown: Nest stops accepting connections (new requests on kept-alive connections get
  // 503), lets in-flight requests finish, then closes the pool. Bounded by SHUTDOWN_TIMEOUT_MS.
  const shutdown = once(async (signal: string) => {
    shuttingDown = true;
    // Ctrl-C signals the whole foreground process group, the embedded PostgreSQL included: it may
    // terminate connections before the pool is closed, and a pg client holding no query then
    // emits an 'error' nobody listens to. While shutting down that is expected, not a crash.
    process.on('uncaughtException', (error) => logger.warn(`During shutdown: ${error.message}`));
    logger.log(`${signal} received: finishing in-flight requests (at most ${config.shutdownTimeoutMs} ms), then exiting`);
    const finished = await settlesWithin(
      config.shutdownTimeoutMs,
      (async () => {
        await closeApp();
        await embedded?.stop();
      })(),
    ).catch((error: unknown) => {
      logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    });
    if (!finished) {
      logger.error(`Shutdown did not finish within ${config.shutdownTimeoutMs} ms (SHUTDOWN_TIMEOUT_MS): exiting anyway`);
      process.exit(1);
    }
    logger.log('Shut down cleanly');
    process.exit(0);
  });
  // Whoever stops the embedded PostgreSQL first (its own exit hook also listens to signals)
  // closes the app before it.
  embedded?.beforeStop(closeApp);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));

  try {
    app = await createApp(config, { shutdownHooks: false, logger: processLogger });
    await app.listen(config.port, config.host);
  } catch (error) {
    await closeApp().catch(() => undefined);
    await embedded?.stop();
    throw error;
  }

  const baseUrl = publicBaseUrl(config, app);
  // The URL is followed by a space: tools (and the system tests) read it with /Listening on (\S+)/ from a JSON line too.
  logger.log(`Listening on ${baseUrl} (Swagger UI: ${baseUrl}/api)`);
  await bootstrapFirstOrganization(app, config, baseUrl, embedded);
}

/** On the very first start of an empty development database: one organization, keys printed once. */
async function bootstrapFirstOrganization(
  app: NestFastifyApplication,
  config: AppConfig,
  baseUrl: string,
  embedded: EmbeddedPostgresHandle | undefined,
): Promise<void> {
  if (config.nodeEnv === 'production') return;
  if ((await app.get(OrganizationsQuery).count()) > 0) return;
  const result: BootstrapResult = await app.get(BootstrapOrganization).execute({});
  const development = result.environments.find((environment) => environment.name === 'Development') ?? result.environments[0];
  const lines = [
    '',
    `First start of an empty ${embedded ? 'embedded ' : ''}database: created organization ${result.organizationId}.`,
    'These secrets are shown only now (create more with `npm run cli -- bootstrap`):',
    ...result.environments.map((environment) => `  ${environment.name} API key: ${environment.apiKey}  (environment ${environment.id})`),
    `  Session token (${development.name}): ${result.sessionToken}`,
    'Try:',
    `  curl -X POST ${baseUrl}/v1/integrations -H 'Authorization: ApiKey ${development.apiKey}' -H 'Content-Type: application/json' -d '{"providerId":"sendgrid"}'`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function publicBaseUrl(config: AppConfig, app: NestFastifyApplication): string {
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function once<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  let running: Promise<void> | undefined;
  return (...args) => (running ??= fn(...args));
}

main().catch((error: unknown) => {
  if (shuttingDown) {
    // Start-up work still running when the signal came (e.g. the first start's bootstrap) fails
    // once the database goes away: Ctrl-C signals the embedded PostgreSQL too. Not a crash.
    logger.warn(`Start-up interrupted by the shutdown: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (error instanceof ConfigError) {
    logger.error(error.message);
  } else {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
});
