import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'api_keys' })
export class ApiKeyRecord {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  /** Lower-case hex SHA-256 of the secret; the secret itself is never stored. */
  @Column({ name: 'key_hash', type: 'text', unique: true })
  keyHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** Written at most once a minute per key (migration 1764100000000). */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
