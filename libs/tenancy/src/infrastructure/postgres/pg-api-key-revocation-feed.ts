import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';
import { DataSource } from 'typeorm';
import { ApiKeyRevocationFeed, ApiKeyRevocationSubscriber } from '../../application/ports/api-key-revocation-feed';
import { API_KEY_REVOKED_CHANNEL } from '../typeorm/typeorm-api-key.repository';
import { TENANCY_MODULE_OPTIONS, type TenancyModuleOptions } from '../../tenancy.module-definition';

/** First retry after a lost connection; doubled up to the maximum. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * `LISTEN api_key_revoked` on a dedicated connection (not one of the pool's: a pooled connection
 * is handed to other queries, and PgBouncer in transaction mode cannot carry LISTEN), opened with
 * the module's `listenConnectionUrl` when set, else with the DataSource's own connection settings. A lost connection (PostgreSQL restarted, network) is
 * reopened with a doubling delay; after every successful LISTEN the subscriber is told to
 * resynchronise. Notifications whose payload is not a key id are ignored.
 */
@Injectable()
export class PgApiKeyRevocationFeed extends ApiKeyRevocationFeed {
  private readonly logger = new Logger('ApiKeyRevocationFeed');
  private subscriber: ApiKeyRevocationSubscriber | undefined;
  private client: Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private stopped = false;
  private warned = false;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(TENANCY_MODULE_OPTIONS) private readonly options?: Pick<TenancyModuleOptions, 'listenConnectionUrl'>,
  ) {
    super();
  }

  override async start(subscriber: ApiKeyRevocationSubscriber): Promise<void> {
    this.subscriber = subscriber;
    this.stopped = false;
    await this.connect();
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client(this.clientConfig());
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === API_KEY_REVOKED_CHANNEL && message.payload) this.subscriber?.revoked(message.payload);
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEY_REVOKED_CHANNEL}`);
    } catch (error) {
      if (!this.warned) this.logger.warn(`Not listening for API-key revocations (${(error as Error).message}); retrying`);
      this.warned = true;
      this.lost(client);
      return;
    }
    if (this.client !== client) return;
    if (this.warned) this.logger.log('Listening for API-key revocations again');
    this.warned = false;
    this.retryMs = FIRST_RETRY_MS;
    this.subscriber?.resynchronise();
  }

  /** Drops `client` (once) and schedules a new connection unless stopped. */
  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (!this.warned) this.logger.warn('Lost the API-key revocation listener connection; reconnecting');
    this.warned = true;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private clientConfig(): ClientConfig {
    const options = this.dataSource.options as {
      url?: string;
      host?: string;
      port?: number;
      username?: string;
      password?: string;
      database?: string;
      ssl?: ClientConfig['ssl'];
      connectTimeoutMS?: number;
    };
    const direct = this.options?.listenConnectionUrl;
    return {
      ...(direct !== undefined
        ? { connectionString: direct }
        : {
            connectionString: options.url,
            host: options.host,
            port: options.port,
            user: options.username,
            password: options.password,
            database: options.database,
          }),
      ssl: options.ssl,
      connectionTimeoutMillis: options.connectTimeoutMS,
      keepAlive: true,
      application_name: 'integrations-service revocation listener',
    };
  }
}
