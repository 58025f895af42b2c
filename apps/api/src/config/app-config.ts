import { EncryptionKey } from '@app/integrations';

/** The validated, typed configuration of the API application (see README "Configuration"). */
export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  /** postgres://… — from DATABASE_URL, or the embedded PostgreSQL started for this process. */
  readonly databaseUrl: string;
  /** Where the embedded PostgreSQL and the generated development secrets live (default ./.data). */
  readonly dataDir: string;
  /** Largest accepted request body, bytes. */
  readonly bodyLimitBytes: number;
  /** First key encrypts; all decrypt. */
  readonly encryptionKeys: readonly EncryptionKey[];
  /** HS256 secret for session tokens. */
  readonly jwtSecret: string;
  readonly sessionTokenTtlSeconds: number;
  /** How long a successful API-key lookup is cached (so how long a revoked key may still work). */
  readonly apiKeyCacheTtlMs: number;
  readonly novuDemoProviders: { readonly email: boolean; readonly sms: boolean };
  /** Log level for Nest's logger. */
  readonly logLevels: readonly ('log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal')[];
}

export const APP_CONFIG = Symbol('APP_CONFIG');
