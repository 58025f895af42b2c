import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Puts `organization_id` first in the primary key and in both unique indexes of `integrations`, so
 * that the table can be distributed by `organization_id` (Citus requires the distribution column in
 * every primary key and unique constraint; docs/deployment.md, "Growing past one PostgreSQL").
 *
 * The names stay those of `IntegrationConstraints`, so error handling that matches on them (the
 * identifier's 409) is unchanged. On one PostgreSQL the rules are the same as before: an
 * environment belongs to one organization, and every write takes the organization from the
 * environment it writes in, so "unique per environment" and "unique per organization and
 * environment" accept the same rows. Every query of the repository already filters by
 * `organization_id`, so the new leading column serves them (lookups by id alone: see the key rotation,
 * which names the organization too).
 *
 * Each statement rebuilds one index under the table's ACCESS EXCLUSIVE lock, held until the
 * migrations' transaction commits: milliseconds for the integrations of a self-hosted deployment
 * (tens to thousands of rows). A very large table would want `CREATE UNIQUE INDEX CONCURRENTLY`
 * outside a transaction instead.
 */
export class OrganizationInIntegrationKeys1764200000000 implements MigrationInterface {
  name = 'OrganizationInIntegrationKeys1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.rebuild(queryRunner, ['organization_id', 'id'], ['organization_id', 'environment_id']);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.rebuild(queryRunner, ['id'], ['environment_id']);
  }

  /** The primary key on `primaryKey`; the two unique indexes on `scope` followed by their own column. */
  private async rebuild(queryRunner: QueryRunner, primaryKey: string[], scope: string[]): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE integrations DROP CONSTRAINT pk_integrations, ADD CONSTRAINT pk_integrations PRIMARY KEY (${primaryKey.join(', ')})`,
    );
    await queryRunner.query(`DROP INDEX ux_integrations_environment_identifier`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX ux_integrations_environment_identifier
        ON integrations (${[...scope, 'identifier'].join(', ')})
        WHERE NOT deleted
    `);
    await queryRunner.query(`DROP INDEX ux_integrations_environment_channel_primary`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX ux_integrations_environment_channel_primary
        ON integrations (${[...scope, 'channel'].join(', ')})
        WHERE is_primary AND NOT deleted
    `);
  }
}
