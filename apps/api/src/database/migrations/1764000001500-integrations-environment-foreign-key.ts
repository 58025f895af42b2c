import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The API keeps the tenancy library's `environments`, so it ties `integrations.environment_id` to it:
 * deleting an environment deletes its integrations, and no integration names an unknown environment.
 *
 * The integrations library creates its table without this key (a host may keep its own environments
 * table). Databases migrated before that change already have the key, from the library's
 * 1764000001000: then this migration changes nothing. The constraint name is
 * `IntegrationConstraints.environmentForeignKey`.
 */
export class IntegrationsEnvironmentForeignKey1764000001500 implements MigrationInterface {
  name = 'IntegrationsEnvironmentForeignKey1764000001500';

  async up(queryRunner: QueryRunner): Promise<void> {
    const [{ present }]: { present: boolean }[] = await queryRunner.query(
      `SELECT EXISTS (
         SELECT 1 FROM pg_constraint
          WHERE conname = 'fk_integrations_environment' AND conrelid = 'integrations'::regclass
       ) AS present`,
    );
    if (present) return;
    await queryRunner.query(`
      ALTER TABLE integrations
        ADD CONSTRAINT fk_integrations_environment
        FOREIGN KEY (environment_id) REFERENCES environments (id) ON DELETE CASCADE
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE integrations DROP CONSTRAINT IF EXISTS fk_integrations_environment`);
  }
}
