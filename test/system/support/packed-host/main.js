// A worker service that installed @integrations-service/integrations from its tarball (see
// test/system/packed-library.system-spec.ts, which copies this file into a host project outside the
// repository). Plain CommonJS, no build step: decorators are applied as functions. It keeps its own
// environments table (`workspaces`) and tells the library so through `environmentDirectory`.
// Prints one JSON object on stdout; DATABASE_URL and ENCRYPTION_KEY come from the environment.
'use strict';
require('reflect-metadata');
const { randomUUID } = require('node:crypto');
const { Inject, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { TypeOrmModule } = require('@nestjs/typeorm');
const { DataSource } = require('typeorm');
const lib = require('@integrations-service/integrations');

/** The host's own environments: a table the library knows nothing about. Runs before the library's migrations. */
class CreateWorkspaces1700000000000 {
  name = 'CreateWorkspaces1700000000000';
  async up(queryRunner) {
    await queryRunner.query('CREATE TABLE workspaces (id uuid PRIMARY KEY, tenant_id uuid NOT NULL)');
  }
  async down(queryRunner) {
    await queryRunner.query('DROP TABLE workspaces');
  }
}

/** The library's EnvironmentDirectory port, answered from `workspaces`. */
class WorkspaceDirectory extends lib.EnvironmentDirectory {
  constructor(dataSource) {
    super();
    this.dataSource = dataSource;
  }
  async find(environmentId) {
    const rows = await this.dataSource.query('SELECT id, tenant_id FROM workspaces WHERE id::text = $1', [environmentId]);
    return rows[0] ? { id: rows[0].id, organizationId: rows[0].tenant_id } : undefined;
  }
}
Inject(DataSource)(WorkspaceDirectory, undefined, 0);

class WorkerModule {}
Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      entities: [...lib.integrationsEntities],
      migrations: [CreateWorkspaces1700000000000, ...lib.integrationsMigrations],
      migrationsRun: true,
      logging: false,
    }),
    lib.IntegrationsModule.forRoot({
      encryptionKeys: [{ id: 'k1', key: process.env.ENCRYPTION_KEY }],
      environmentDirectory: WorkspaceDirectory,
    }),
  ],
})(WorkerModule);

const brief = (integration) =>
  integration && {
    id: integration.id,
    identifier: integration.identifier,
    providerId: integration.providerId,
    environmentId: integration.environmentId,
    channel: integration.channel,
    active: integration.active,
    primary: integration.primary,
    credentials: integration.credentials,
  };

async function main() {
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
  try {
    const dataSource = app.get(DataSource);
    const tenant = randomUUID();
    const workspace = randomUUID();
    await dataSource.query('INSERT INTO workspaces (id, tenant_id) VALUES ($1, $2)', [workspace, tenant]);
    const actor = { kind: 'api-key', organizationId: tenant, environmentId: workspace };

    const create = app.get(lib.CreateIntegration);
    const credentials = { apiKey: 'SG.packed-secret', from: 'worker@example.com', senderName: 'Worker' };
    const first = await create.execute({ actor, providerId: 'sendgrid', channel: 'email', identifier: 'first', credentials, active: true });
    const second = await create.execute({
      actor,
      providerId: 'sendgrid',
      channel: 'email',
      identifier: 'second',
      credentials,
      active: true,
    });
    // An environment the host's directory does not know: refused by the library's rules.
    const unknown = randomUUID();
    const refused = await create
      .execute({ actor: { ...actor, environmentId: unknown }, providerId: 'sendgrid', channel: 'email', credentials })
      .then(
        () => undefined,
        (error) => ({ isIntegrationError: error instanceof lib.IntegrationError, code: error.code }),
      );

    const result = {
      migrations: (await dataSource.query('SELECT name FROM migrations ORDER BY id')).map((row) => row.name),
      foreignKeys: (
        await dataSource.query(`SELECT conname FROM pg_constraint WHERE conrelid = 'integrations'::regclass AND contype = 'f'`)
      ).map((row) => row.conname),
      created: [brief(first.integration), brief(second.integration)],
      refused,
    };

    if (typeof lib.SelectIntegration !== 'function') {
      result.select = 'missing';
    } else {
      // Once per delivery step: which integration sends this email, and what to fail over to.
      const selection = await app
        .get(lib.SelectIntegration)
        .execute({ organizationId: tenant, environmentId: workspace, channel: 'email' });
      result.select = {
        integration: brief(selection.integration),
        fallbacks: selection.fallbacks.map(brief),
        candidates: selection.candidates.map(({ id, selected }) => ({ id, selected })),
      };
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
