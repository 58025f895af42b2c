import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';

/** The integrations library references `environments(id)` and reads `id, organization_id`. */
@Entity({ name: 'environments' })
@Unique('environments_organization_id_name_key', ['organizationId', 'name'])
export class EnvironmentRecord {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
