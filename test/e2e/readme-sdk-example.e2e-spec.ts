import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { sendgridThroughTheSdk } from './readme-sdk-example';

const REPO = join(__dirname, '..', '..');

/** The text between the markers of readme-sdk-example.ts. */
function exampleSource(): string {
  const source = readFileSync(join(__dirname, 'readme-sdk-example.ts'), 'utf8');
  return source.split('// readme-example-start\n')[1].split('// readme-example-end')[0].trim();
}

describe('README: the @novu/api SDK example', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(async () => testApp?.close());

  it('is in the README word for word', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${exampleSource()}\n\`\`\``);
  });

  it('creates and lists through the SDK against this service', async () => {
    const { environments } = await testApp.bootstrap();
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const { created, listed } = await sendgridThroughTheSdk(testApp.baseUrl, environments[0].apiKey);
      expect(created).toMatchObject({
        providerId: 'sendgrid',
        channel: 'email',
        name: 'SendGrid',
        active: true,
        primary: true,
        credentials: {},
      });
      expect(listed.map((integration) => integration.id)).toEqual([created.id]);
      expect(log).toHaveBeenCalledWith(['SendGrid']);
    } finally {
      log.mockRestore();
    }
  });
});
