import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { EnvConfig } from '../config/load-config';
import { ensureDatabase, EmbeddedPostgresHandle, startEmbeddedPostgres } from '../database/embedded-postgres';

/** The database `npm start` and the CLI create in the embedded PostgreSQL. */
export const EMBEDDED_DATABASE_NAME = 'integrations';

export interface ResolvedDatabase {
  readonly config: AppConfig;
  /** Set when DATABASE_URL was unset and the embedded PostgreSQL under DATA_DIR serves the app. */
  readonly embedded?: EmbeddedPostgresHandle;
}

/**
 * DATABASE_URL when set; otherwise the persistent embedded PostgreSQL in `<DATA_DIR>/postgres`
 * (the same folder for `npm start` and the CLI; a running one is reused) with database
 * `integrations`. loadConfig already refused a missing DATABASE_URL in production.
 */
export async function resolveDatabase(env: EnvConfig, log: (message: string) => void): Promise<ResolvedDatabase> {
  if (env.databaseUrl) return { config: { ...env, databaseUrl: env.databaseUrl } };
  log('DATABASE_URL not set: using the embedded PostgreSQL (development only)');
  const embedded = await startEmbeddedPostgres({ dataDir: join(env.dataDir, 'postgres'), persistent: true, log });
  try {
    const databaseUrl = await ensureDatabase(embedded.url, EMBEDDED_DATABASE_NAME);
    return { config: { ...env, databaseUrl }, embedded };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
