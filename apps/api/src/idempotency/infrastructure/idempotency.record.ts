import { Column, Entity, PrimaryColumn } from 'typeorm';

export const IDEMPOTENCY_TABLE = 'idempotency_records';
export const IdempotencyConstraints = {
  primaryKey: 'pk_idempotency_records',
  expiresIndex: 'ix_idempotency_records_expires_at',
} as const;

/**
 * One stored outcome of an `idempotency-key` request (migrations 1764000002000, 1764000003000). Written and read
 * with SQL by `TypeOrmIdempotencyStore`; declared as an entity so the schema is registered with
 * the data source.
 */
@Entity({ name: IDEMPOTENCY_TABLE })
export class IdempotencyRecord {
  @PrimaryColumn({ type: 'uuid', name: 'organization_id', primaryKeyConstraintName: IdempotencyConstraints.primaryKey })
  organizationId: string;

  @PrimaryColumn({ type: 'varchar', length: 255, name: 'idempotency_key', primaryKeyConstraintName: IdempotencyConstraints.primaryKey })
  key: string;

  /**
   * Hex HMAC-SHA256 of the request's digest (method, path, environment, canonical body) under the
   * key `requestHashKeyId` names (migration 1764000003000); a plain SHA-256 where that is null.
   */
  @Column({ type: 'char', length: 64, name: 'request_hash' })
  requestHash: string;

  @Column({ type: 'varchar', length: 64, name: 'request_hash_key_id', nullable: true })
  requestHashKeyId: string | null;

  @Column({ type: 'smallint', name: 'status_code' })
  statusCode: number;

  /** The response body as sent (JSON text: key order and formatting are replayed byte for byte). */
  @Column({ type: 'text', name: 'response_body' })
  responseBody: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt: Date;
}
