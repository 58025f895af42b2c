import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { Client, ClientConfig, Notification } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { ChannelChangeListener, IntegrationChangeFeed } from '../../application/ports/integration-change-feed';
import { CHANNELS, ChannelType } from '../../domain/integration';
import { INTEGRATIONS_MODULE_OPTIONS, type IntegrationsModuleOptions } from '../../integrations.module-definition';

/** The PostgreSQL notification channel of integration writes. */
export const INTEGRATIONS_CHANGED = 'integrations_changed';

/** application_name of the feed's dedicated connection. */
export const CHANGE_FEED_APPLICATION_NAME = 'integrations-service change feed';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 2_000;

/**
 * Sent by every write of an environment+channel, inside the writing transaction: PostgreSQL delivers
 * it to every listening session when (and only if) the transaction commits. Payload `<environmentId>:<channel>`.
 */
export async function notifyChannelChanged(manager: EntityManager, environmentId: string, channel: ChannelType): Promise<void> {
  await manager.query('SELECT pg_notify($1, $2)', changeNotice(environmentId, channel));
}

/** The `pg_notify` arguments (channel, payload) of a write of this environment+channel. */
export function changeNotice(environmentId: string, channel: ChannelType): [string, string] {
  return [INTEGRATIONS_CHANGED, `${environmentId}:${channel}`];
}

/**
 * `IntegrationChangeFeed` on PostgreSQL `LISTEN/NOTIFY`: one dedicated connection (not from the
 * pool, which would hand it to queries, nor through a transaction pooler, which cannot carry
 * `LISTEN`), opened on the first `subscribe` with the module's `listenConnectionUrl` when set, else
 * with the data source's own connection settings. When it drops (error, server restart, network), the listener is told
 * `down` at once and the feed reconnects with a growing delay (100 ms … 2 s); each successful
 * `LISTEN` is followed by `reset`, since notices sent in between are lost.
 */
@Injectable()
export class PgIntegrationChangeFeed extends IntegrationChangeFeed implements OnModuleDestroy {
  private readonly logger = new Logger('IntegrationChangeFeed');
  private readonly listeners: ChannelChangeListener[] = [];
  private client: Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private stopped = false;
  private connecting = false;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(INTEGRATIONS_MODULE_OPTIONS) private readonly options?: Pick<IntegrationsModuleOptions, 'listenConnectionUrl'>,
  ) {
    super();
  }

  subscribe(listener: ChannelChangeListener): void {
    this.listeners.push(listener);
    if (this.listeners.length === 1) void this.connect();
  }

  /** Whether the dedicated connection is listening (tests, health). */
  get listening(): boolean {
    return this.client !== undefined && !this.connecting;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.connecting = true;
    const client = new Client(this.clientConfig());
    let failed = false;
    const lost = (error?: Error) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      this.connecting = false;
      for (const listener of this.listeners) listener.down();
      if (this.stopped) return;
      if (error) this.logger.warn(`change feed connection lost (${error.message}); selection cache bypassed until it is back`);
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (notice) => this.deliver(notice));
    try {
      this.client = client;
      await client.connect();
      await client.query(`LISTEN ${INTEGRATIONS_CHANGED}`);
      if (failed || this.stopped) {
        if (this.stopped) await client.end().catch(() => undefined);
        return;
      }
      this.connecting = false;
      this.attempts = 0;
      for (const listener of this.listeners) listener.reset();
    } catch (error) {
      lost(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private scheduleReconnect(): void {
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempts++);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private deliver(notice: Notification): void {
    if (notice.channel !== INTEGRATIONS_CHANGED) return;
    const payload = notice.payload ?? '';
    const separator = payload.lastIndexOf(':');
    const environmentId = payload.slice(0, separator);
    const channel = payload.slice(separator + 1) as ChannelType;
    for (const listener of this.listeners) {
      // A notice we cannot read (another version's format): drop everything rather than guess.
      if (separator <= 0 || !CHANNELS.includes(channel)) listener.reset();
      else listener.changed(environmentId, channel);
    }
  }

  /**
   * `listenConnectionUrl` when set, else the data source's connection settings (url or fields); TLS
   * and connect timeout from the data source either way.
   */
  private clientConfig(): ClientConfig {
    const direct = this.options?.listenConnectionUrl;
    const options = this.dataSource.options as unknown as {
      url?: string;
      host?: string;
      port?: number;
      username?: string;
      password?: string;
      database?: string;
      ssl?: ClientConfig['ssl'];
      connectTimeoutMS?: number;
    };
    const where: ClientConfig =
      direct !== undefined
        ? { connectionString: direct }
        : {
            ...(options.url !== undefined ? { connectionString: options.url } : {}),
            ...(options.host !== undefined ? { host: options.host } : {}),
            ...(options.port !== undefined ? { port: options.port } : {}),
            ...(options.username !== undefined ? { user: options.username } : {}),
            ...(options.password !== undefined ? { password: options.password } : {}),
            ...(options.database !== undefined ? { database: options.database } : {}),
          };
    return {
      ...where,
      ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
      ...(options.connectTimeoutMS !== undefined ? { connectionTimeoutMillis: options.connectTimeoutMS } : {}),
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // Visible in pg_stat_activity (and PgBouncer's SHOW CLIENTS, should it ever go through one).
      application_name: CHANGE_FEED_APPLICATION_NAME,
    };
  }
}
