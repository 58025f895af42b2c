// The README's "Using the official @novu/api SDK" example, verbatim between the markers;
// readme-sdk-example.e2e-spec.ts runs it and checks that the README shows exactly this text.
// readme-example-start
import { Novu } from '@novu/api';

export async function sendgridThroughTheSdk(serverURL: string, secretKey: string) {
  const novu = new Novu({ serverURL, secretKey });

  const created = await novu.integrations.create({
    providerId: 'sendgrid',
    channel: 'email',
    name: 'SendGrid',
    credentials: { apiKey: 'SG.xxxx', from: 'no-reply@example.com', senderName: 'Example' },
    active: true,
  });
  console.log(created.result.id, created.result.primary); // the first active email integration is primary

  const listed = await novu.integrations.list();
  console.log(listed.result.map((integration) => integration.name));
  return { created: created.result, listed: listed.result };
}
// readme-example-end
