// Installs the bench's round-trip counter on pg's Client before the app exists (its pool binds `query`).
import { RoundTripCounts, snapshot } from '../../bench/support/count-round-trips';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { activeEmailPayload, sendgridPayload } from '../factories/integration-payloads';

const ROUTE = '/v1/integrations';

/**
 * Database round trips per create request (issue #11), counted in-process by the bench's counter
 * (bench/support/count-round-trips.js, the same rule `npm run bench` prints): a round trip is a
 * query sent while its connection has no other query in flight (a query sent behind one still in
 * flight on a pipelining connection shares its round trip; without pipelining it waits for it, so
 * it counts). Every statement counts, BEGIN/COMMIT/SAVEPOINT included. Only the request's own span
 * is counted; each scenario is warmed first (API-key cache).
 */
describe('round trips per create (issue #11)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  /** The statements counted between two snapshots, for the failure message. */
  function statementsBetween(before: RoundTripCounts, after: RoundTripCounts): string[] {
    return Object.entries(after.byStatement).flatMap(([sql, n]) =>
      Array<string>(n - (before.byStatement[sql] ?? 0)).fill(sql.slice(0, 80)),
    );
  }

  /** The round trips of one request (asserting its status), with the statements for the failure message. */
  async function counted(send: () => Promise<{ status: number }>, status: number): Promise<{ roundTrips: number; statements: string[] }> {
    const before = snapshot();
    const response = await send();
    const after = snapshot();
    expect(response.status).toBe(status);
    return { roundTrips: after.total - before.total, statements: statementsBetween(before, after) };
  }

  async function callers() {
    const org = await testApp.bootstrap();
    const apiKey = ApiClient.apiKey(testApp.baseUrl, org.environments[0].apiKey);
    const session = ApiClient.session(testApp.baseUrl, org.sessionToken);
    // Warm the API key's cache (its first use reads the key).
    expect((await apiKey.post(ROUTE, sendgridPayload({ identifier: 'warm-up' }))).status).toBe(201);
    return { apiKey, session };
  }

  let unique = 0;
  const identifier = (label: string) => `${label}-${++unique}`;

  it('an inactive create by an API key: one INSERT, in auto-commit', async () => {
    const { apiKey } = await callers();
    const trips = await counted(() => apiKey.post(ROUTE, sendgridPayload({ identifier: identifier('inactive') })), 201);
    expect(trips).toEqual(expect.objectContaining({ roundTrips: 1 }));
  });

  it('a taken identifier is still a 409 from that one INSERT', async () => {
    const { apiKey } = await callers();
    const trips = await counted(() => apiKey.post(ROUTE, sendgridPayload({ identifier: 'warm-up' })), 409);
    expect(trips).toEqual(expect.objectContaining({ roundTrips: 1 }));
  });

  it('an environment deleted behind a cached API key is still a 404 (the foreign key refuses the INSERT)', async () => {
    const org = await testApp.bootstrap();
    const [development] = org.environments;
    const apiKey = ApiClient.apiKey(testApp.baseUrl, development.apiKey);
    expect((await apiKey.post(ROUTE, sendgridPayload({ identifier: identifier('cached') }))).status).toBe(201);
    await testApp.dataSource.query('DELETE FROM environments WHERE id = $1', [development.id]);
    for (const payload of [sendgridPayload(), activeEmailPayload()]) {
      const response = await apiKey.post(ROUTE, payload);
      expect(response.status).toBe(404);
      expect(response.body.message).toBe(`Environment with id ${development.id} not found`);
    }
  });

  it('an inactive create by a session: the environment lookup and the INSERT', async () => {
    const { session } = await callers();
    const trips = await counted(() => session.post(ROUTE, sendgridPayload({ identifier: identifier('session') })), 201);
    expect(trips).toEqual(expect.objectContaining({ roundTrips: 2 }));
  });

  it('an active email create: at most 4 (the first of its channel, and one that moves the primary up)', async () => {
    const { apiKey } = await callers();
    const first = await counted(() => apiKey.post(ROUTE, activeEmailPayload({ identifier: identifier('first') })), 201);
    expect(first).toEqual(expect.objectContaining({ roundTrips: 3 }));
    const second = await counted(() => apiKey.post(ROUTE, activeEmailPayload({ identifier: identifier('second') })), 201);
    expect(second).toEqual(expect.objectContaining({ roundTrips: 3 }));
  });

  it('an idempotency key adds at most 2 to an inactive create, and its replay is one read', async () => {
    const { apiKey } = await callers();
    const key = identifier('key');
    const payload = sendgridPayload({ identifier: identifier('keyed') });
    const keyed = await counted(() => apiKey.post(ROUTE, payload, { 'idempotency-key': key }), 201);
    expect(keyed).toEqual(expect.objectContaining({ roundTrips: 3 }));
    const replay = await counted(() => apiKey.post(ROUTE, payload, { 'idempotency-key': key }), 201);
    expect(replay).toEqual(expect.objectContaining({ roundTrips: 1 }));
  });
});
