import { randomUUID } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { EnvironmentScope, Integration } from '../../../libs/integrations/src/domain/integration';
import { IntegrationError } from '../../../libs/integrations/src/domain/integration.errors';
import { ChannelIntegrations } from '../../../libs/integrations/src/domain/channel-integrations';
import { CredentialsDecryptionError } from '../../../libs/integrations/src/infrastructure/crypto/aes-gcm-credentials.cipher';
import { IntegrationConstraints } from '../../../libs/integrations/src/infrastructure/typeorm/integration.record';
import { buildIntegration, buildSmtpIntegration } from '../../factories/integration.factory';
import { driverErrorOf, IntegrationsDb, openIntegrationsDb } from './integrations-db';

describe('TypeOrmIntegrationRepository (PostgreSQL)', () => {
  let db: IntegrationsDb;
  let env: EnvironmentScope;

  beforeAll(async () => {
    db = await openIntegrationsDb();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    env = await db.newEnvironment();
  });

  const inEnv = (overrides: Partial<Integration> = {}) => buildIntegration({ ...env, ...overrides });
  const rawRow = async (id: string) =>
    (await db.dataSource.query('SELECT * FROM integrations WHERE id = $1', [id]))[0] as Record<string, any>;
  const errorOf = async (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (error: unknown) => error,
    );

  describe('round trip', () => {
    it('stores and reads back an integration with typed credentials, configurations and conditions', async () => {
      const created = new Date('2026-01-02T03:04:05.678Z');
      const integration = buildSmtpIntegration({
        ...env,
        active: true,
        primary: true,
        priority: 3,
        configurations: { inboundWebhookEnabled: true, inboundWebhookSigningKey: 'whsec-signing-secret', inboxCount: 'unread' },
        conditions: [
          {
            isNegated: false,
            type: 'BOOLEAN',
            value: 'AND',
            children: [{ field: 'tier', value: 'gold', operator: 'EQUAL', on: 'subscriber' }],
          },
        ],
        createdAt: created,
        updatedAt: created,
      });
      await db.repository.insert(integration);

      const found = await db.repository.findById(env.organizationId, integration.id);
      expect(found).toEqual(integration);
      expect(found!.credentials.secure).toBe(true);
      expect(found!.credentials.requireTls).toBe(false);
      expect(found!.credentials.port).toBe('587');
      expect(found!.credentials.tlsOptions).toEqual({ rejectUnauthorized: false, minVersion: 'TLSv1.2' });
      expect(found!.createdAt).toBeInstanceOf(Date);
      expect(found!.createdAt.toISOString()).toBe(created.toISOString());
    });

    it('leaves absent optional fields absent (never null)', async () => {
      const agent = inEnv({ kind: 'agent', channel: undefined, providerId: 'slack', credentials: {} });
      await db.repository.insert(agent);
      const found = await db.repository.findById(env.organizationId, agent.id);
      expect(found).toBeDefined();
      for (const key of ['channel', 'deletedAt', 'deletedBy'] as const) {
        expect(Object.prototype.hasOwnProperty.call(found, key)).toBe(false);
      }
      expect(found!.configurations).toEqual({});
      expect(found!.credentials).toEqual({});
    });

    it('keeps no plaintext credential or signing key in the stored row', async () => {
      const integration = buildSmtpIntegration({
        ...env,
        configurations: { inboundWebhookEnabled: true, inboundWebhookSigningKey: 'whsec-signing-secret', configurationSetName: 'set-1' },
      });
      await db.repository.insert(integration);

      const [row] = await db.dataSource.query(
        'SELECT credentials, configurations, credentials::text AS credentials_text, configurations::text AS configurations_text FROM integrations WHERE id = $1',
        [integration.id],
      );
      expect(Object.keys(row.credentials).sort()).toEqual(['ct', 'iv', 'kid', 'tag', 'v']);
      expect(row.credentials.kid).toBe('k1');
      const stored = `${row.credentials_text} ${row.configurations_text}`;
      // As JSON strings (quoted): a short value such as the port "587", or a key such as "host",
      // can turn up by chance inside the base64 ciphertext, but base64 never holds a quote.
      for (const value of Object.values(integration.credentials)) {
        if (typeof value === 'string') expect(stored).not.toContain(JSON.stringify(value));
        if (typeof value === 'string' && value.length >= 12) expect(stored).not.toContain(value);
      }
      for (const key of Object.keys(integration.credentials)) expect(row.credentials_text).not.toContain(JSON.stringify(key));
      expect(stored).not.toContain('whsec-signing-secret');
      // Configurations stay readable, except the signing key's own envelope.
      expect(row.configurations).toEqual({
        inboundWebhookEnabled: true,
        configurationSetName: 'set-1',
        inboundWebhookSigningKey: { v: 1, kid: 'k1', iv: expect.any(String), tag: expect.any(String), ct: expect.any(String) },
      });
    });

    it('refuses ciphertext copied onto another integration', async () => {
      const source = inEnv({ configurations: { inboundWebhookSigningKey: 'whsec-a' } });
      const target = inEnv({ configurations: { inboundWebhookSigningKey: 'whsec-b' } });
      await db.repository.insert(source);
      await db.repository.insert(target);

      await db.dataSource.query(
        'UPDATE integrations SET credentials = (SELECT credentials FROM integrations WHERE id = $1) WHERE id = $2',
        [source.id, target.id],
      );
      await expect(db.repository.findById(env.organizationId, target.id)).rejects.toThrow(CredentialsDecryptionError);

      const other = inEnv({ configurations: { inboundWebhookSigningKey: 'whsec-c' } });
      await db.repository.insert(other);
      await db.dataSource.query(
        `UPDATE integrations SET configurations = (SELECT configurations FROM integrations WHERE id = $1) WHERE id = $2`,
        [source.id, other.id],
      );
      await expect(db.repository.findById(env.organizationId, other.id)).rejects.toThrow(CredentialsDecryptionError);
      expect(await db.repository.findById(env.organizationId, source.id)).toEqual(source);
    });
  });

  describe('identifier uniqueness', () => {
    it('refuses a second live integration with the same identifier as IDENTIFIER_TAKEN', async () => {
      const first = inEnv({ identifier: 'my-sendgrid' });
      await db.repository.insert(first);

      const error = await errorOf(db.repository.insert(inEnv({ identifier: 'my-sendgrid' })));
      expect(error).toBeInstanceOf(IntegrationError);
      expect((error as IntegrationError).code).toBe('IDENTIFIER_TAKEN');

      // Another environment may use it.
      const elsewhere = await db.newEnvironment(env.organizationId);
      await expect(db.repository.insert(buildIntegration({ ...elsewhere, identifier: 'my-sendgrid' }))).resolves.toBeUndefined();
    });

    it('refuses renaming onto a taken identifier', async () => {
      await db.repository.insert(inEnv({ identifier: 'taken' }));
      const second = inEnv({ identifier: 'free' });
      await db.repository.insert(second);
      await expect(db.repository.update(buildIntegration({ ...second, identifier: 'taken' }))).rejects.toMatchObject({
        code: 'IDENTIFIER_TAKEN',
      });
    });

    it('frees the identifier after a soft delete', async () => {
      const first = inEnv({ identifier: 'recycled' });
      await db.repository.insert(first);
      expect(await db.repository.identifierTaken(env, 'recycled')).toBe(true);
      expect(await db.repository.identifierTaken(env, 'recycled', first.id)).toBe(false);

      await db.repository.softDelete(env, first.id, 'user-1', new Date());
      expect(await db.repository.identifierTaken(env, 'recycled')).toBe(false);
      await expect(db.repository.insert(inEnv({ identifier: 'recycled' }))).resolves.toBeUndefined();
    });

    it('rethrows other database errors unchanged', async () => {
      const error = await errorOf(db.repository.insert(inEnv({ priority: -1 })));
      expect(error).toBeInstanceOf(QueryFailedError);
      expect((error as QueryFailedError<any>).driverError.constraint).toBe(IntegrationConstraints.priorityCheck);
    });
  });

  describe('one primary per environment and channel', () => {
    it('is enforced by the database', async () => {
      const primary = inEnv({ active: true, primary: true, priority: 1 });
      const other = inEnv({ active: true, priority: 0 });
      await db.repository.insert(primary);
      await db.repository.insert(other);

      const driverError = await driverErrorOf(db.dataSource.query('UPDATE integrations SET is_primary = true WHERE id = $1', [other.id]));
      expect(driverError).toMatchObject({ code: '23505', constraint: IntegrationConstraints.primaryUnique });

      const error = await errorOf(db.repository.insert(inEnv({ active: true, primary: true, priority: 2 })));
      expect(error).toBeInstanceOf(QueryFailedError);
      expect(error).not.toBeInstanceOf(IntegrationError);
    });

    it('ignores deleted rows and other channels', async () => {
      const old = inEnv({ active: true, primary: true, priority: 1 });
      await db.repository.insert(old);
      await db.repository.insert(inEnv({ providerId: 'twilio', channel: 'sms', active: true, primary: true, priority: 1 }));
      await db.repository.softDelete(env, old.id, undefined, new Date());
      expect((await rawRow(old.id)).is_primary).toBe(false);
      await db.dataSource.query('UPDATE integrations SET is_primary = true WHERE id = $1', [old.id]);
      await expect(db.repository.insert(inEnv({ active: true, primary: true, priority: 2 }))).resolves.toBeUndefined();
    });

    it('saveChannel moves the primary in an order the one-primary index accepts', async () => {
      const a = inEnv({ active: true, primary: true, priority: 2 });
      const b = inEnv({ active: true, primary: false, priority: 1 });
      await db.repository.insert(a);
      await db.repository.insert(b);

      // Setting b first would violate the index: the aggregate clears a's flag first.
      await db.unitOfWork.run(async () => {
        const channel = await db.repository.loadChannel(env, 'email');
        channel.setPrimary((await db.repository.findById(env.organizationId, b.id))!);
        await db.repository.saveChannel(channel);
      });
      expect((await db.repository.listActivePriorities(env, 'email'))[0]).toEqual({
        id: b.id,
        primary: true,
        priority: 2,
        createdAt: b.createdAt,
      });
      expect(await db.repository.findById(env.organizationId, a.id)).toMatchObject({ primary: false, priority: 1 });
      expect(await db.repository.findById(env.organizationId, b.id)).toMatchObject({ primary: true, priority: 2, active: true });

      // Keeping the primary while bumping its priority works too (a newcomer under the primary).
      const c = inEnv({ active: true });
      await db.unitOfWork.run(async () => {
        const channel = await db.repository.loadChannel(env, 'email');
        channel.admit(c);
        await db.repository.saveChannel(channel);
      });
      expect(await db.repository.findById(env.organizationId, b.id)).toMatchObject({ primary: true, priority: 3 });
      expect(await db.repository.findById(env.organizationId, c.id)).toMatchObject({ primary: false, priority: 2 });
    });

    it('saveChannel refuses re-ranking rows outside the environment', async () => {
      const elsewhere = await db.newEnvironment(env.organizationId);
      const foreign = buildIntegration({ ...elsewhere, active: true });
      await db.repository.insert(foreign);
      const withMember = (id: string) => {
        const channel = ChannelIntegrations.restore({
          scope: env,
          channel: 'email',
          members: [{ id, primary: true, priority: 1, createdAt: foreign.createdAt }],
        });
        channel.admit(inEnv({ active: true })); // bumps the (alleged) primary to priority 2
        return channel;
      };
      await expect(db.repository.saveChannel(withMember(foreign.id))).rejects.toThrow(/not found/);
      await expect(db.repository.saveChannel(withMember('nope'))).rejects.toThrow();
      expect((await rawRow(foreign.id)).is_primary).toBe(false);
      expect((await rawRow(foreign.id)).priority).toBe(0);
    });

    it('loadChannel takes the lock, loads the ordering and whether a demo provider exists', async () => {
      await expect(db.repository.loadChannel(env, 'email')).rejects.toThrow(/inside UnitOfWork\.run/);
      const top = inEnv({ active: true, primary: true, priority: 2 });
      const low = inEnv({ active: true, priority: 1 });
      await db.repository.insert(low);
      await db.repository.insert(top);
      await db.repository.insert(inEnv({ active: false }));
      await db.repository.insert(buildIntegration({ ...env, providerId: 'novu', channel: 'in_app', name: 'Novu' }));

      const email = await db.unitOfWork.run(() => db.repository.loadChannel(env, 'email', { admitting: 'sendgrid' }));
      expect(email.ordering.map((member) => member.id)).toEqual([top.id, low.id]);
      const inApp = await db.unitOfWork.run(() => db.repository.loadChannel(env, 'in_app', { admitting: 'novu' }));
      expect(inApp.ordering).toEqual([]);
      expect(() => inApp.admit(buildIntegration({ ...env, providerId: 'novu', channel: 'in_app' }))).toThrow(
        'One environment can only have one In app provider',
      );
      const otherEnv = await db.newEnvironment(env.organizationId);
      const elsewhere = await db.unitOfWork.run(() => db.repository.loadChannel(otherEnv, 'in_app', { admitting: 'novu' }));
      const secondNovu = buildIntegration({ ...otherEnv, providerId: 'novu', channel: 'in_app' });
      elsewhere.admit(secondNovu);
      expect(elsewhere.pendingWrites()).toEqual([{ kind: 'insert', integration: secondNovu }]);
    });
  });

  describe('reads', () => {
    it('lists the organization and the environment oldest first, without deleted rows', async () => {
      const second = await db.newEnvironment(env.organizationId);
      const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
      const a = inEnv({ createdAt: t(1), updatedAt: t(1), active: true });
      const b = buildIntegration({ ...second, createdAt: t(2), updatedAt: t(2) });
      const c = inEnv({ createdAt: t(3), updatedAt: t(3) });
      const gone = inEnv({ createdAt: t(0), updatedAt: t(0), active: true });
      const stranger = buildIntegration({ ...(await db.newEnvironment()), createdAt: t(0), updatedAt: t(0) });
      for (const i of [c, gone, b, stranger, a]) await db.repository.insert(i);
      await db.repository.softDelete(env, gone.id, 'user-1', t(9));

      const ids = (list: Integration[]) => list.map((i) => i.id);
      expect(ids(await db.repository.listByOrganization(env.organizationId))).toEqual([a.id, b.id, c.id]);
      expect(ids(await db.repository.listByOrganization(env.organizationId, { activeOnly: true }))).toEqual([a.id]);
      expect(ids(await db.repository.listByEnvironment(env))).toEqual([a.id, c.id]);
      expect(ids(await db.repository.listByEnvironment(second))).toEqual([b.id]);
      expect(ids(await db.repository.listByEnvironment(env, { activeOnly: true }))).toEqual([a.id]);
    });

    it('lists without decrypting anything when secrets are not wanted', async () => {
      const integration = inEnv({
        credentials: { apiKey: 'SG.listed' },
        configurations: { inboundWebhookSigningKey: 'whsec', inboxCount: 'unseen' },
      });
      await db.repository.insert(integration);
      // A ciphertext no configured key can open: any decryption attempt would throw.
      await db.dataSource.query(`UPDATE integrations SET credentials = jsonb_set(credentials, '{kid}', '"gone"') WHERE id = $1`, [
        integration.id,
      ]);

      const [listed] = await db.repository.listByEnvironment(env, { withoutSecrets: true });
      expect(listed).toMatchObject({ id: integration.id, credentials: {}, configurations: { inboxCount: 'unseen' } });
      expect(listed.configurations).not.toHaveProperty('inboundWebhookSigningKey');
      await expect(db.repository.listByEnvironment(env)).rejects.toThrow(/key id "gone"|unknown key/i);
    });

    it('finds active delivery integrations of a channel, highest priority first', async () => {
      const low = inEnv({ active: true, priority: 1 });
      const high = inEnv({ active: true, primary: true, priority: 5 });
      const inactive = inEnv({ active: false, priority: 9 });
      const sms = inEnv({ providerId: 'twilio', channel: 'sms', active: true, priority: 7 });
      for (const i of [low, inactive, high, sms]) await db.repository.insert(i);

      expect((await db.repository.listActivePriorities(env, 'email')).map((i) => i.id)).toEqual([high.id, low.id]);
      expect((await db.repository.listActivePriorities(env, 'email'))[0]).toEqual({
        id: high.id,
        priority: 5,
        primary: true,
        createdAt: high.createdAt,
      });
      expect(await db.repository.listActivePriorities(env, 'push')).toEqual([]);
      expect(await db.repository.countByProvider(env, 'sendgrid')).toBe(3);
      expect(await db.repository.countByProvider(env, 'twilio')).toBe(1);
    });

    it('does not find an integration through another organization', async () => {
      const integration = inEnv();
      await db.repository.insert(integration);
      expect(await db.repository.findById(randomUUID(), integration.id)).toBeUndefined();
    });

    it('answers "nothing" for ids that are not UUIDs instead of failing', async () => {
      const integration = inEnv();
      await db.repository.insert(integration);
      const bad = { organizationId: 'not-a-uuid', environmentId: env.environmentId };

      expect(await db.repository.findById(env.organizationId, 'not-a-uuid')).toBeUndefined();
      expect(await db.repository.findById(env.organizationId, `${integration.id}x`)).toBeUndefined();
      expect(await db.repository.findById('1234', integration.id)).toBeUndefined();
      expect(await db.repository.listByOrganization('org')).toEqual([]);
      expect(await db.repository.listByEnvironment(bad)).toEqual([]);
      expect(await db.repository.listByEnvironment({ ...env, environmentId: 'x' })).toEqual([]);
      expect(await db.repository.listActivePriorities(bad, 'email')).toEqual([]);
      expect(await db.repository.identifierTaken(bad, integration.identifier)).toBe(false);
      expect(await db.repository.identifierTaken(env, integration.identifier, 'not-a-uuid')).toBe(true);
      expect(await db.repository.countByProvider(bad, 'sendgrid')).toBe(0);
      await expect(db.repository.softDelete(env, 'not-a-uuid', undefined, new Date())).resolves.toBeUndefined();
    });
  });

  describe('writes', () => {
    it('update replaces every mutable field and the whole credentials set', async () => {
      const integration = inEnv({ configurations: { inboundWebhookSigningKey: 'whsec-old' } });
      await db.repository.insert(integration);
      const changed = buildIntegration({
        ...integration,
        name: 'Renamed',
        identifier: 'renamed',
        active: true,
        primary: true,
        priority: 2,
        credentials: { apiKey: 'SG.new-secret' },
        configurations: { inboxCount: 'none' },
        conditions: [{ isNegated: true, value: 'OR', children: [] }],
        updatedAt: new Date('2030-01-01T00:00:00.000Z'),
      });
      await db.repository.update(changed);
      expect(await db.repository.findById(env.organizationId, integration.id)).toEqual(changed);
      expect(JSON.stringify((await rawRow(integration.id)).credentials)).not.toContain('SG.new-secret');
    });

    it('update of a missing or deleted integration is INTEGRATION_NOT_FOUND', async () => {
      await expect(db.repository.update(inEnv())).rejects.toMatchObject({ code: 'INTEGRATION_NOT_FOUND' });
      const integration = inEnv();
      await db.repository.insert(integration);
      await db.repository.softDelete(env, integration.id, undefined, new Date());
      await expect(db.repository.update(buildIntegration({ ...integration, name: 'back' }))).rejects.toMatchObject({
        code: 'INTEGRATION_NOT_FOUND',
      });
    });

    it('softDelete keeps the row, records who and when, clears primary and hides it', async () => {
      const integration = inEnv({ active: true, primary: true, priority: 1 });
      await db.repository.insert(integration);
      const at = new Date('2026-05-06T07:08:09.000Z');
      await db.repository.softDelete(env, integration.id, 'user-42', at);

      expect(await db.repository.findById(env.organizationId, integration.id)).toBeUndefined();
      const row = await rawRow(integration.id);
      expect(row).toMatchObject({ deleted: true, deleted_by: 'user-42', is_primary: false });
      expect(row.deleted_at.toISOString()).toBe(at.toISOString());

      const anonymous = inEnv();
      await db.repository.insert(anonymous);
      await db.repository.softDelete(env, anonymous.id, undefined, at);
      expect((await rawRow(anonymous.id)).deleted_by).toBeNull();
    });
  });
});
