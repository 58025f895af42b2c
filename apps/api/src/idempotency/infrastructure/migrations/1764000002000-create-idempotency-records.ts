import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `idempotency_records`: the outcomes of requests sent with an `idempotency-key` header, one per
 * organization and key, replayed until `expires_at` (24 h) and then purged in the background.
 * No foreign key to `organizations`: a record is written in the same transaction as the request's
 * own writes and must not add lock traffic on the tenant tables.
 */
export class CreateIdempotencyRecords1764000002000 implements MigrationInterface {
  name = 'CreateIdempotencyRecords1764000002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE idempotency_records (
        organization_id  uuid         NOT NULL,
        idempotency_key  varchar(255) NOT NULL,
        request_hash     char(64)     NOT NULL,
        status_code      smallint     NOT NULL,
        response_body    text         NOT NULL,
        created_at       timestamptz  NOT NULL DEFAULT now(),
        expires_at       timestamptz  NOT NULL,
        CONSTRAINT pk_idempotency_records PRIMARY KEY (organization_id, idempotency_key),
        CONSTRAINT ck_idempotency_records_status CHECK (status_code BETWEEN 100 AND 499)
      )`);
    await queryRunner.query(`CREATE INDEX ix_idempotency_records_expires_at ON idempotency_records (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS idempotency_records`);
  }
}
