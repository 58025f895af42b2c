import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `integrations` table. Constraint and index names are listed in `IntegrationConstraints`
 * (integration.record.ts); error handling matches on them, so rename both together.
 *
 * No foreign key on `environment_id`: the library does not own the environments table, and a host
 * may keep its own (it then passes its own `EnvironmentDirectory`). A host backed by the tenancy
 * library adds `fk_integrations_environment` in its own migration (apps/api's 1764000001500).
 * Databases created before that split got the key from this migration; the host's migration leaves
 * it in place there, so both end up with the same schema.
 */
export class CreateIntegrations1764000001000 implements MigrationInterface {
  name = 'CreateIntegrations1764000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE integrations (
        id               uuid        NOT NULL,
        organization_id  uuid        NOT NULL,
        environment_id   uuid        NOT NULL,
        name             text        NOT NULL,
        identifier       text        NOT NULL,
        provider_id      text        NOT NULL,
        channel          text        NULL,
        kind             text        NOT NULL DEFAULT 'delivery',
        active           boolean     NOT NULL DEFAULT false,
        is_primary       boolean     NOT NULL DEFAULT false,
        priority         integer     NOT NULL DEFAULT 0,
        credentials      jsonb       NOT NULL,
        configurations   jsonb       NOT NULL DEFAULT '{}'::jsonb,
        conditions       jsonb       NOT NULL DEFAULT '[]'::jsonb,
        deleted          boolean     NOT NULL DEFAULT false,
        deleted_at       timestamptz NULL,
        deleted_by       text        NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_integrations PRIMARY KEY (id),
        CONSTRAINT ck_integrations_kind CHECK (kind IN ('delivery', 'agent')),
        CONSTRAINT ck_integrations_channel
          CHECK (channel IS NULL OR channel IN ('in_app', 'email', 'sms', 'chat', 'push')),
        CONSTRAINT ck_integrations_kind_channel CHECK ((kind = 'agent') = (channel IS NULL)),
        CONSTRAINT ck_integrations_priority CHECK (priority >= 0),
        CONSTRAINT ck_integrations_primary_channel CHECK (NOT is_primary OR channel IS NOT NULL)
      )
    `);
    // An identifier is unique among the environment's live integrations; deleting frees it.
    await queryRunner.query(`
      CREATE UNIQUE INDEX ux_integrations_environment_identifier
        ON integrations (environment_id, identifier)
        WHERE NOT deleted
    `);
    // At most one primary per environment and channel, whatever the application does.
    await queryRunner.query(`
      CREATE UNIQUE INDEX ux_integrations_environment_channel_primary
        ON integrations (environment_id, channel)
        WHERE is_primary AND NOT deleted
    `);
    // GET /v1/integrations for a session caller: the organization's live rows, oldest first.
    await queryRunner.query(`
      CREATE INDEX ix_integrations_organization
        ON integrations (organization_id, created_at, id)
        WHERE NOT deleted
    `);
    // Per-environment lists and the primary/priority reads (active rows of a channel by priority).
    await queryRunner.query(`
      CREATE INDEX ix_integrations_environment_channel_active
        ON integrations (environment_id, channel, active, priority)
        WHERE NOT deleted
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Dropping the table drops its indexes and constraints with it.
    await queryRunner.query(`DROP TABLE integrations`);
  }
}
