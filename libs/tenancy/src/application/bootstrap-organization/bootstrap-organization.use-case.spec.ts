import { hashApiKeySecret } from '../../domain/api-key-secret';
import { OrganizationProvisioning, OrganizationRepository, ProvisionedOrganization } from '../ports/organization.repository';
import { SessionTokens } from '../session-tokens/session-tokens';
import { BootstrapOrganization } from './bootstrap-organization.use-case';

class FakeOrganizationRepository extends OrganizationRepository {
  plans: OrganizationProvisioning[] = [];

  override async provision(plan: OrganizationProvisioning): Promise<ProvisionedOrganization> {
    this.plans.push(plan);
    return {
      organizationId: 'org-1',
      environments: plan.environments.map((e, i) => ({ name: e.name, id: `env-${i}`, apiKeyId: `key-${i}` })),
      userId: 'user-1',
    };
  }

  override async count(): Promise<number> {
    return this.plans.length;
  }
}

function build() {
  const repository = new FakeOrganizationRepository();
  const tokens = new SessionTokens({ secret: 'secret', ttlSeconds: 60 });
  return { repository, tokens, bootstrap: new BootstrapOrganization(repository, tokens) };
}

describe('BootstrapOrganization', () => {
  it('provisions Development then Production with hashed keys and returns the secrets once', async () => {
    const { bootstrap, repository, tokens } = build();

    const result = await bootstrap.execute({});

    const [plan] = repository.plans;
    expect(plan.organizationName).toBe('My Organization');
    expect(result.environments.map((e) => e.name)).toEqual(['Development', 'Production']);
    for (const [i, environment] of result.environments.entries()) {
      expect(environment.apiKey).toMatch(/^[0-9a-f]{64}$/);
      expect(plan.environments[i].apiKeyHash).toBe(hashApiKeySecret(environment.apiKey));
      expect(JSON.stringify(plan)).not.toContain(environment.apiKey);
    }
    expect(result.environments[0].apiKey).not.toBe(result.environments[1].apiKey);
    await expect(tokens.verify(result.sessionToken)).resolves.toMatchObject({
      userId: 'user-1',
      organizationId: 'org-1',
      environmentId: 'env-0',
    });
  });

  it('uses a given name, trimmed, and refuses a blank or oversized one', async () => {
    const { bootstrap, repository } = build();

    await bootstrap.execute({ organizationName: '  Acme  ' });
    expect(repository.plans[0].organizationName).toBe('Acme');
    await expect(bootstrap.execute({ organizationName: '   ' })).rejects.toMatchObject({ code: 'INVALID_ORGANIZATION_NAME' });
    await expect(bootstrap.execute({ organizationName: 'x'.repeat(201) })).rejects.toMatchObject({ code: 'INVALID_ORGANIZATION_NAME' });
  });
});
