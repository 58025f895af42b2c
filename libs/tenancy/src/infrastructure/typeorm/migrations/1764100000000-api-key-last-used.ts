import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `api_keys.last_used_at`: when the key last authenticated a request, to the minute (the service
 * writes it at most once a minute per key, see ApiKeyUsage). NULL until first use. Adding a
 * nullable column without a default is a catalogue change only: no table rewrite.
 */
export class ApiKeyLastUsed1764100000000 implements MigrationInterface {
  name = 'ApiKeyLastUsed1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN last_used_at`);
  }
}
