import { NEW_SENDGRID_IN_DEV } from '../../../../../test/factories/integration.factory';
import { DEV, ORG, OTHER_ORG_ENV, PROD } from '../../../../../test/factories/scopes';
import { useCaseWorld } from '../../../../../test/fakes/use-case-world';
import { rejectionOf } from '../../../../../test/support/integration-errors';
import { Actor } from '../actor';

const sessionActor: Actor = { kind: 'session', organizationId: ORG, environmentId: DEV, userId: 'user-1' };

const sendgridCredentials = { apiKey: 'SG.secret', from: 'a@b.co', senderName: 'Acme' };

describe('CreateIntegration', () => {
  describe('defaults', () => {
    it('fills name, identifier, channel, kind, flags and the caller environment', async () => {
      const { create } = useCaseWorld();
      const created = await create();
      expect(created).toMatchObject(NEW_SENDGRID_IN_DEV);
      expect(created.identifier).toMatch(/^send-grid-[A-Za-z0-9_-]{7}$/);
      expect(created.createdAt).toBeInstanceOf(Date);
    });

    it('derives the identifier from a given name', async () => {
      const { create } = useCaseWorld();
      const created = await create({ name: 'Marketing Mail' });
      expect(created.identifier).toMatch(/^marketing-mail-[A-Za-z0-9_-]{7}$/);
    });

    it('keeps a given identifier', async () => {
      const { create } = useCaseWorld();
      expect((await create({ identifier: 'my-sendgrid' })).identifier).toBe('my-sendgrid');
    });

    it('gives agent integrations no channel and never makes them primary', async () => {
      const { create } = useCaseWorld();
      const created = await create({
        providerId: 'slack',
        kind: 'agent',
        active: true,
        credentials: { applicationId: 'a', clientId: 'c', secretKey: 's' },
      });
      expect(created.channel).toBeUndefined();
      expect(created).toMatchObject({ kind: 'agent', primary: false, priority: 0 });
    });
  });

  describe('environment scope', () => {
    it('refuses an API key targeting another environment with ENVIRONMENT_FORBIDDEN', async () => {
      const { create } = useCaseWorld();
      const error = await rejectionOf(create({ environmentId: PROD }));
      expect(error.code).toBe('ENVIRONMENT_FORBIDDEN');
    });

    it('lets a session user target any environment of the organization', async () => {
      const { create } = useCaseWorld();
      const created = await create({ actor: sessionActor, environmentId: PROD });
      expect(created.environmentId).toBe(PROD);
    });

    it.each([OTHER_ORG_ENV, 'no-such-env'])('answers ENVIRONMENT_NOT_FOUND for session target %p', async (env) => {
      const { create } = useCaseWorld();
      const error = await rejectionOf(create({ actor: sessionActor, environmentId: env }));
      expect(error.code).toBe('ENVIRONMENT_NOT_FOUND');
      expect(error.message).toBe(`Environment with id ${env} not found`);
    });
  });

  describe('catalog rules', () => {
    it('rejects an unknown provider on providerId', async () => {
      const { create } = useCaseWorld();
      const error = await rejectionOf(create({ providerId: 'nope' }));
      expect(error.code).toBe('INVALID_INTEGRATION');
      expect(error.fields).toEqual({ providerId: { messages: [expect.stringContaining('not in the catalog')], value: 'nope' } });
    });

    it('rejects a channel that is not the provider channel', async () => {
      const { create } = useCaseWorld();
      const error = await rejectionOf(create({ channel: 'sms' }));
      expect(Object.keys(error.fields!)).toEqual(['channel']);
    });

    it('accepts the matching channel', async () => {
      const { create } = useCaseWorld();
      expect((await create({ channel: 'email' })).channel).toBe('email');
    });

    it('lists every missing required credential of an active integration', async () => {
      const { create, repository } = useCaseWorld();
      const error = await rejectionOf(create({ active: true, credentials: { apiKey: 'x', from: '  ' } }));
      expect(Object.keys(error.fields!).sort()).toEqual(['credentials.from', 'credentials.senderName']);
      // Named, never echoed: even a blank credential is part of a secret set.
      expect(error.fields!['credentials.from']).toEqual({ messages: [expect.stringContaining('credentials.from is required')] });
      expect(repository.rows.size).toBe(0);
    });

    it('does not demand credentials of an inactive integration', async () => {
      const { create } = useCaseWorld();
      await expect(create({ active: false })).resolves.toMatchObject({ active: false });
    });

    it('refuses unsafe outbound URLs with the policy problems, saving nothing', async () => {
      const { create, repository } = useCaseWorld();
      const error = await rejectionOf(
        create({ providerId: 'push-webhook', credentials: { webhookUrl: 'http://10.0.0.1/', secretKey: 's' } }),
      );
      expect(error.code).toBe('INVALID_INTEGRATION');
      expect(Object.keys(error.fields!)).toEqual(['credentials.webhookUrl']);
      expect(repository.rows.size).toBe(0);
    });

    it('verifies credentials with check: true before saving', async () => {
      const { create, verifier } = useCaseWorld();
      await create({ check: true, credentials: { apiKey: 'SG.good' } });
      expect(verifier.verified).toEqual([{ providerId: 'sendgrid', credentials: { apiKey: 'SG.good' } }]);
    });

    it('reports what the check did: verified, unsupported, or nothing without check: true', async () => {
      const { execute } = useCaseWorld();
      expect((await execute({ check: true, credentials: { apiKey: 'SG.good' } })).credentialsCheck).toBe('verified');
      expect((await execute({ providerId: 'twilio', check: true })).credentialsCheck).toBe('unsupported');
      const unchecked = await execute({ credentials: { apiKey: 'SG.good' } });
      expect(unchecked).not.toHaveProperty('credentialsCheck');
      expect(await execute({ check: false })).not.toHaveProperty('credentialsCheck');
    });

    it('answers CREDENTIALS_CHECK_FAILED when the provider rejects them, saving nothing', async () => {
      const { create, repository } = useCaseWorld();
      const error = await rejectionOf(create({ check: true, credentials: { apiKey: 'SG.bad' } }));
      expect(error).toMatchObject({ code: 'CREDENTIALS_CHECK_FAILED', message: 'sendgrid rejected the API key' });
      expect(repository.rows.size).toBe(0);
    });

    it('saves unchecked when no verifier exists, and skips the check without check: true', async () => {
      const { create, verifier } = useCaseWorld();
      await expect(create({ providerId: 'twilio', check: true })).resolves.toMatchObject({ providerId: 'twilio' });
      await create({ credentials: { apiKey: 'SG.bad' } });
      expect(verifier.verified).toEqual([]);
    });
  });

  describe('Novu demo providers', () => {
    it('allows one novu in-app integration per environment', async () => {
      const { create } = useCaseWorld();
      await create({ providerId: 'novu' });
      const error = await rejectionOf(create({ providerId: 'novu' }));
      expect(error).toMatchObject({ code: 'NOVU_IN_APP_EXISTS', message: 'One environment can only have one In app provider' });
    });

    it('refuses novu-email when the server has no demo credentials', async () => {
      const { create } = useCaseWorld();
      const error = await rejectionOf(create({ providerId: 'novu-email' }));
      expect(error).toMatchObject({
        code: 'NOVU_PROVIDER_NOT_ALLOWED',
        message: 'Creating Novu integration for novu-email provider is not allowed',
      });
    });

    it('allows one novu-sms per environment when configured', async () => {
      const { create } = useCaseWorld({ sms: true });
      await create({ providerId: 'novu-sms' });
      const error = await rejectionOf(create({ providerId: 'novu-sms' }));
      expect(error).toMatchObject({
        code: 'NOVU_PROVIDER_EXISTS',
        message: 'Integration with novu provider for sms channel already exists',
      });
      await expect(create({ providerId: 'novu-sms', actor: sessionActor, environmentId: PROD })).resolves.toBeDefined();
    });
  });

  it('refuses a duplicate identifier within the environment with IDENTIFIER_TAKEN', async () => {
    const { create } = useCaseWorld();
    await create({ identifier: 'dup' });
    const error = await rejectionOf(create({ identifier: 'dup' }));
    expect(error).toMatchObject({ code: 'IDENTIFIER_TAKEN', message: 'Integration with identifier already exists' });
    await expect(create({ identifier: 'dup', actor: sessionActor, environmentId: PROD })).resolves.toBeDefined();
  });

  describe('primary and priority', () => {
    const activeSendgrid = { active: true, credentials: sendgridCredentials };

    it('case 1: the first active email integration becomes primary with priority 1', async () => {
      const { create } = useCaseWorld();
      expect(await create(activeSendgrid)).toMatchObject({ primary: true, priority: 1 });
    });

    it('case 2: under a primary holder the newcomer takes its priority and the primary moves up', async () => {
      const { create, repository } = useCaseWorld();
      const first = await create(activeSendgrid);
      const second = await create(activeSendgrid);
      expect(second).toMatchObject({ primary: false, priority: 1 });
      expect(repository.rows.get(first.id)).toMatchObject({ primary: true, priority: 2 });
    });

    it('case 3: above a non-primary holder the newcomer becomes primary', async () => {
      const { create, repository } = useCaseWorld();
      const first = await create(activeSendgrid);
      repository.rows.get(first.id)!.primary = false;
      const second = await create(activeSendgrid);
      expect(second).toMatchObject({ primary: true, priority: 2 });
      expect(repository.rows.get(first.id)).toMatchObject({ primary: false, priority: 1 });
    });

    it('case 4: inactive integrations get primary false and priority 0', async () => {
      const { create } = useCaseWorld();
      await create(activeSendgrid);
      expect(await create({ credentials: sendgridCredentials })).toMatchObject({ primary: false, priority: 0 });
    });

    it('case 5: channels without primary (chat, push, in_app) get primary false and priority 0', async () => {
      const { create } = useCaseWorld();
      const chat = await create({ providerId: 'discord', active: true });
      const push = await create({ providerId: 'expo', active: true, credentials: { apiKey: 'k' } });
      expect(chat).toMatchObject({ primary: false, priority: 0 });
      expect(push).toMatchObject({ primary: false, priority: 0 });
    });

    it('orders sms separately from email', async () => {
      const { create } = useCaseWorld();
      await create(activeSendgrid);
      const sms = await create({ providerId: 'twilio', active: true, credentials: { accountSid: 'a', token: 't', from: '+1' } });
      expect(sms).toMatchObject({ primary: true, priority: 1 });
    });

    it('takes the channel lock inside one unit of work for active email/sms and demo providers only', async () => {
      const { create, repository, unitOfWork } = useCaseWorld();
      await create(activeSendgrid);
      await create({ credentials: sendgridCredentials });
      await create({ providerId: 'novu' });
      expect(repository.locks).toEqual([`${DEV}:email`, `${DEV}:in_app`]);
      expect(unitOfWork.runs).toBe(3);
    });
  });
});
