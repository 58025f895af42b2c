import type { TestDatabaseServer } from './global-setup';

/** Stops the throwaway embedded PostgreSQL (its folder is deleted) or cleans the external server. */
export default async function globalTeardown(): Promise<void> {
  const server: TestDatabaseServer | undefined = globalThis.__testDatabaseServer;
  globalThis.__testDatabaseServer = undefined;
  await server?.stop();
}
