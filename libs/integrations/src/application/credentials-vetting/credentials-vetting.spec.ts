import { ScriptedCredentialsVerifier, ScriptedOutboundUrlPolicy } from '../../../../../test/fakes/in-memory-integration.repository';
import { IntegrationError } from '../../domain/integration.errors';
import { CredentialsCheckObserver, CredentialsCheckReport } from '../ports/credentials-check-observer';
import { CredentialsVetting } from './credentials-vetting';

class RecordingObserver extends CredentialsCheckObserver {
  readonly reports: [string, CredentialsCheckReport][] = [];
  checked(providerId: string, report: CredentialsCheckReport): void {
    this.reports.push([providerId, report]);
  }
}

function setup() {
  const observer = new RecordingObserver();
  const vetting = new CredentialsVetting(
    new ScriptedOutboundUrlPolicy(),
    new ScriptedCredentialsVerifier(['sendgrid'], ['SG.bad']),
    observer,
  );
  return { observer, vetting };
}

const sendgrid = { providerId: 'sendgrid', takesCredentialsCheck: true };

describe('CredentialsVetting reports each check to its observer', () => {
  it('verified, unsupported (no verifier, or no check taken) and failed with the reason', async () => {
    const { observer, vetting } = setup();

    await expect(vetting.vet(sendgrid, { apiKey: 'SG.good' }, true)).resolves.toBe('verified');
    await expect(vetting.vet({ providerId: 'mailjet', takesCredentialsCheck: true }, {}, true)).resolves.toBe('unsupported');
    await expect(vetting.vet({ providerId: 'sendgrid', takesCredentialsCheck: false }, {}, true)).resolves.toBe('unsupported');
    await expect(vetting.vet(sendgrid, { apiKey: 'SG.bad' }, true)).rejects.toBeInstanceOf(IntegrationError);

    expect(observer.reports).toEqual([
      ['sendgrid', { outcome: 'verified' }],
      ['mailjet', { outcome: 'unsupported' }],
      ['sendgrid', { outcome: 'unsupported' }],
      ['sendgrid', { outcome: 'failed', reason: 'rejected' }],
    ]);
  });

  it('reports nothing when no check was asked for', async () => {
    const { observer, vetting } = setup();

    await expect(vetting.vet(sendgrid, { apiKey: 'SG.bad' }, false)).resolves.toBeUndefined();

    expect(observer.reports).toEqual([]);
  });
});
