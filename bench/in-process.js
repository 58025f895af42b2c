'use strict';
/**
 * The integrations library in this process, as a host service runs it (README, "Using the library
 * in another NestJS application"; test/system/support/packed-host): its own TypeORM connection to
 * the bench's database (schema already migrated by the service), `IntegrationsModule.forRoot` with
 * the service's encryption keys, everything from the run's snapshot of dist/. No HTTP, no guard, no
 * idempotency: `create(command)` is `CreateIntegration.execute`.
 *
 * Loading it also loads bench/support/count-round-trips.js into this process (pg's Client wrapped
 * from then on): `roundTrips()` reads its counts.
 */
const path = require('node:path');

/** `id:base64,…` (ENCRYPTION_KEYS) → the module's `encryptionKeys`. */
function parseKeys(text) {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => ({ id: entry.slice(0, entry.indexOf(':')), key: entry.slice(entry.indexOf(':') + 1) }));
}

module.exports = async function startInProcess(h, { databaseUrl, encryptionKeys, poolSize = 10 }) {
  const counter = require('./support/count-round-trips.js');
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { TypeOrmModule } = require('@nestjs/typeorm');
  // …/dist/apps/api/apps/api/src/main.js → …/dist/apps/api
  const dist = path.resolve(path.dirname(h.use.main), '..', '..', '..');
  const lib = require(path.join(dist, 'libs/integrations/src/index.js'));

  class BenchHostModule {}
  Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: databaseUrl,
        entities: [...lib.integrationsEntities],
        migrationsRun: false,
        logging: false,
        extra: { max: poolSize }, // the service's default pool
      }),
      lib.IntegrationsModule.forRoot({ encryptionKeys: parseKeys(encryptionKeys) }),
    ],
  })(BenchHostModule);

  const app = await NestFactory.createApplicationContext(BenchHostModule, { logger: false });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  h.onCleanup(close);
  const useCase = app.get(lib.CreateIntegration);
  return {
    create: (command) => useCase.execute(command),
    roundTrips: async () => counter.snapshot(),
    close,
  };
};
