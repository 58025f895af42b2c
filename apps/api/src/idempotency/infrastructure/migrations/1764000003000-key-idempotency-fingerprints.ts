import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keyed request fingerprints: `request_hash` becomes an HMAC-SHA256 (still 64 hex characters)
 * under a key derived from an encryption key, and `request_hash_key_id` names that key.
 *
 * Rows already stored keep a plain SHA-256 and no key id (NULL). They are neither deleted nor
 * rewritten here: a retry across the upgrade must still be a replay, not a second create, and the
 * keys that would re-key them are not known to a migration. The service re-keys them in the
 * background (`IdempotencyPurger`, at start-up and on every pass) and meanwhile still verifies them;
 * they expire within 24 hours in any case.
 *
 * Down keeps the rows: an older service compares the keyed hashes as plain ones, so a retry of a
 * request made after the upgrade gets 422 (never a second create) until the row expires.
 */
export class KeyIdempotencyFingerprints1764000003000 implements MigrationInterface {
  name = 'KeyIdempotencyFingerprints1764000003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE idempotency_records
        ADD COLUMN request_hash_key_id varchar(64) NULL,
        ADD CONSTRAINT ck_idempotency_records_request_hash_key_id CHECK (request_hash_key_id <> '')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE idempotency_records DROP COLUMN IF EXISTS request_hash_key_id`);
  }
}
