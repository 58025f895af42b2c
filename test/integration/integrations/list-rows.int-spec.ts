import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { EnvironmentScope, Integration, IntegrationState } from '../../../libs/integrations/src/domain/integration';
import { IntegrationMapper } from '../../../libs/integrations/src/infrastructure/typeorm/integration.mapper';
import { IntegrationRecord } from '../../../libs/integrations/src/infrastructure/typeorm/integration.record';
import { IntegrationsDb, openIntegrationsDb } from './integrations-db';

/**
 * The list reads (`listByOrganization`, `listByEnvironment`) run one plain statement and map the
 * driver's rows, not TypeORM entities. Property: for generated integrations (agent and delivery,
 * deleted or not, with and without optional fields, credentials and signing keys of any JSON), they
 * return exactly what the entity path returns — TypeORM's `getMany` of the same rows through
 * `IntegrationMapper.toDomain` — as values, own keys and key order, with and without secrets.
 */

const SEED = 20_261_211;
const RUNS = 25;

const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown>;
const text = fc.string({ maxLength: 12 });
const date = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true });
const condition = fc.record({
  isNegated: fc.boolean(),
  type: fc.constantFrom('BOOLEAN', 'TEXT'),
  value: fc.constantFrom('AND', 'OR'),
  children: fc.array(fc.record({ field: text, value: text, operator: fc.constantFrom('EQUAL', 'LARGER'), on: fc.constant('tenant') }), {
    maxLength: 2,
  }),
});

/** One integration's fields (the tenant, id and identifier are added per run). */
const generated = fc.record(
  {
    agent: fc.boolean(),
    channel: fc.constantFrom('email', 'sms', 'chat', 'push', 'in_app'),
    name: text,
    active: fc.boolean(),
    priority: fc.nat({ max: 50 }),
    credentials: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), json, { maxKeys: 4 }),
    configurations: fc.dictionary(fc.constantFrom('inboundWebhookEnabled', 'inboxCount', 'other'), json, { maxKeys: 3 }),
    signingKey: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    conditions: fc.array(condition, { maxLength: 2 }),
    deleted: fc.boolean(),
    deletedBy: fc.option(text, { nil: undefined }),
    createdAt: date,
    updatedAt: date,
  },
  {
    requiredKeys: [
      'agent',
      'channel',
      'name',
      'active',
      'priority',
      'credentials',
      'configurations',
      'conditions',
      'deleted',
      'createdAt',
      'updatedAt',
    ],
  },
);

type Generated = typeof generated extends fc.Arbitrary<infer T> ? T : never;

function toIntegration(scope: EnvironmentScope, g: Generated, index: number): Integration {
  const configurations = { ...g.configurations, ...(g.signingKey !== undefined ? { inboundWebhookSigningKey: g.signingKey } : {}) };
  const state: IntegrationState = {
    id: randomUUID(),
    ...scope,
    name: g.name,
    identifier: `generated-${index}-${randomUUID()}`,
    providerId: g.agent ? 'slack' : 'sendgrid',
    ...(g.agent ? {} : { channel: g.channel }),
    kind: g.agent ? 'agent' : 'delivery',
    active: g.active,
    primary: false,
    priority: g.priority,
    credentials: g.credentials as IntegrationState['credentials'],
    configurations: configurations as IntegrationState['configurations'],
    conditions: g.conditions as IntegrationState['conditions'],
    deleted: g.deleted,
    ...(g.deleted ? { deletedAt: g.updatedAt } : {}),
    ...(g.deleted && g.deletedBy !== undefined ? { deletedBy: g.deletedBy } : {}),
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
  };
  return Integration.restore(state);
}

/** Values, own keys and their order, recursively (toStrictEqual ignores key order). */
function shapeOf(value: unknown): unknown {
  if (value instanceof Date) return { date: value.toISOString() };
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') {
    return Object.keys(value).map((key) => [key, shapeOf((value as Record<string, unknown>)[key])]);
  }
  return value;
}

describe('list reads map plain rows exactly as the entity path maps records (PostgreSQL)', () => {
  let db: IntegrationsDb;
  let mapper: IntegrationMapper;

  beforeAll(async () => {
    db = await openIntegrationsDb();
    mapper = new IntegrationMapper(db.cipher);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** The same read through TypeORM entities (what the lists did before). */
  async function throughEntities(
    where: Partial<Record<'organizationId' | 'environmentId', string>>,
    secrets: boolean,
    activeOnly: boolean,
  ) {
    const query = db.dataSource.createQueryBuilder(IntegrationRecord, 'i').where('i.deleted = false');
    if (where.organizationId !== undefined) query.andWhere('i.organizationId = :organizationId', { organizationId: where.organizationId });
    if (where.environmentId !== undefined) query.andWhere('i.environmentId = :environmentId', { environmentId: where.environmentId });
    if (activeOnly) query.andWhere('i.active = true');
    const records = await query.orderBy('i.createdAt', 'ASC').addOrderBy('i.id', 'ASC').getMany();
    return records.map((record) => mapper.toDomain(record, { secrets }));
  }

  it('for generated integrations, with and without secrets, active only or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(generated, { minLength: 1, maxLength: 8 }), fc.boolean(), async (list, activeOnly) => {
        const env = await db.newEnvironment();
        const sibling = await db.newEnvironment(env.organizationId);
        for (const [index, g] of list.entries()) {
          await db.repository.insert(toIntegration(index % 3 === 2 ? sibling : env, g, index));
        }
        for (const secrets of [true, false]) {
          const filter = { activeOnly, withoutSecrets: !secrets };
          const byOrganization = await db.repository.listByOrganization(env.organizationId, filter);
          const byEnvironment = await db.repository.listByEnvironment(env, filter);
          const expectedByOrganization = await throughEntities({ organizationId: env.organizationId }, secrets, activeOnly);
          const expectedByEnvironment = await throughEntities(env, secrets, activeOnly);

          expect(byOrganization).toStrictEqual(expectedByOrganization);
          expect(byEnvironment).toStrictEqual(expectedByEnvironment);
          expect(shapeOf(byOrganization)).toEqual(shapeOf(expectedByOrganization));
          expect(shapeOf(byEnvironment)).toEqual(shapeOf(expectedByEnvironment));
          for (const integration of byOrganization) expect(integration).toBeInstanceOf(Integration);
        }
        // Not vacuous: the generated live rows are listed.
        const live = list.filter((g, index) => !g.deleted && index % 3 !== 2 && (!activeOnly || g.active)).length;
        expect((await db.repository.listByEnvironment(env, { activeOnly })).length).toBe(live);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
