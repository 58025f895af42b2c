import { randomUUID } from 'node:crypto';

/** Anything that runs SQL: a DataSource or an EntityManager. */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Inserts tenancy rows with raw SQL, for tests of the integrations library that need an
 * environment without going through the tenancy library: an organization (unless one is given)
 * and one environment of it.
 */
export async function insertEnvironment(
  db: Queryable,
  ids: { organizationId?: string; environmentId?: string; existingOrganization?: boolean } = {},
): Promise<{ organizationId: string; environmentId: string }> {
  const organizationId = ids.organizationId ?? randomUUID();
  const environmentId = ids.environmentId ?? randomUUID();
  if (!ids.existingOrganization) {
    await db.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [organizationId, `org ${organizationId}`]);
  }
  await db.query('INSERT INTO environments (id, organization_id, name) VALUES ($1, $2, $3)', [
    environmentId,
    organizationId,
    `env ${environmentId}`,
  ]);
  return { organizationId, environmentId };
}
