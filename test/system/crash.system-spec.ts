import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { sendgridPayload } from '../factories/integration-payloads';
import { Attempt, attempt, backOff, label, lanes, percentiles } from './support/load';
import { report, ServiceProcess, SharedSecrets, sharedSecrets, startService, tally } from './support/service-process';
import { DatabaseRoute, routeTo, startInstances, topologies, Topology } from './support/topology';

jest.setTimeout(180_000);

const ROUTE = '/v1/integrations';
const KEYS = 200;
const CONCURRENCY = 16;
const KILL_AFTER = 60;

/**
 * A stream of creates with idempotency keys against several instances (two directly connected, or
 * three through one PgBouncer) while one is killed with SIGKILL and restarted. The client retries every request that got no answer (or 409 in progress / 503) on
 * whichever instance is up. Afterwards every key maps to exactly one integration, and every
 * integration to its key.
 */
describe.each(topologies())('crash of one instance under a stream of idempotent creates: $name', (topology: Topology) => {
  let database: TestDatabase;
  let route: DatabaseRoute;
  let db: Client;
  let secrets: SharedSecrets;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    route = await routeTo(topology, database.directUrl);
    secrets = sharedSecrets();
    db = new Client({ connectionString: database.directUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await Promise.all(services.map((service) => service.kill()));
    await route?.close();
    await database?.drop();
  });

  it('leaves exactly one integration per key and no integration without its key', async () => {
    const started = await startInstances(topology, route, { prefix: 'crash', secrets });
    services.push(...started);
    const first = started[0];
    const { apiKey, environmentId } = first.bootstrap!;
    let live: ServiceProcess[] = [...started];
    let turn = 0;

    const attempts: Attempt[] = [];
    const answered = new Map<number, Attempt>();
    let completed = 0;
    let crash: Promise<void> | undefined;
    let startCrash!: () => void;
    const crashStarted = new Promise<void>((done) => (startCrash = done));
    const crashFigures: Record<string, unknown> = {};

    const killAndRestart = async () => {
      const victim = first;
      const code = await victim.kill(); // requests in flight on it get no answer
      live = live.filter((service) => service !== victim);
      crashFigures.killed = `${victim.name} (${code}) after ${completed} completed keys`;
      const restarted = await startService({ name: 'crash-a2', databaseUrl: route.serviceUrl, secrets, env: route.env });
      services.push(restarted);
      live = [...live, restarted];
      crashFigures.restartedAfterCompletedKeys = completed;
    };

    const keys = Array.from({ length: KEYS }, (_, i) => i);
    const servedBy: string[] = [];
    /** Outcome and answer time of every attempt, by the instance it went to. */
    const perInstance = new Map<string, { outcomes: string[]; ms: number[] }>();
    await lanes(keys, CONCURRENCY, async (i) => {
      // The second half of the stream starts once the killed instance is back, so it takes traffic too.
      if (i >= KEYS / 2) await crashStarted.then(() => crash);
      for (let retry = 0; ; retry++) {
        const service = live[turn++ % live.length];
        const sent = Date.now();
        const result = await attempt(`${service.baseUrl}${ROUTE}`, {
          method: 'POST',
          headers: { authorization: `ApiKey ${apiKey}`, 'idempotency-key': `crash-key-${i}` },
          body: sendgridPayload({ name: `crash-${i}` }),
        });
        attempts.push(result);
        const mine = perInstance.get(service.name) ?? { outcomes: [], ms: [] };
        perInstance.set(service.name, mine);
        mine.outcomes.push(label(result));
        mine.ms.push(Date.now() - sent);
        if (result.status !== 'network') servedBy.push(service.name);
        if (result.status === 201) {
          answered.set(i, result);
          completed++;
          if (completed === KILL_AFTER) {
            crash = killAndRestart();
            startCrash();
          }
          return;
        }
        if (result.status !== 'network' && result.status !== 409 && result.status !== 503) {
          throw new Error(`key ${i}: unexpected ${result.status} ${JSON.stringify(result.body)}`);
        }
        if (retry > 200) throw new Error(`key ${i}: no success after ${retry} attempts`);
        await backOff(result.status === 'network' ? 5 : 25);
      }
    });
    await crash;

    const { rows: integrations } = await db.query<{ id: string; name: string }>(
      'SELECT id, name FROM integrations WHERE environment_id = $1 AND NOT deleted',
      [environmentId],
    );
    const { rows: records } = await db.query<{ idempotency_key: string; status_code: number }>(
      'SELECT idempotency_key, status_code FROM idempotency_records',
    );
    const byName = new Map(integrations.map((row) => [row.name, row.id]));
    const recordByKey = new Map(records.map((row) => [row.idempotency_key, row]));

    report(`SIGKILL + restart under idempotent creates (${topology.name})`, {
      keys: KEYS,
      concurrency: CONCURRENCY,
      requestsSent: attempts.length,
      outcomes: tally(attempts.map(label)),
      answersByInstance: tally(servedBy),
      byInstance: Object.fromEntries(
        [...perInstance].map(([name, { outcomes, ms }]) => [name, { outcomes: tally(outcomes), ...percentiles(ms) }]),
      ),
      ...crashFigures,
      integrationRows: integrations.length,
      distinctNames: byName.size,
      idempotencyRecords: records.length,
    });

    expect(crashFigures.killed).toBeDefined();
    expect(servedBy).toContain('crash-a2');
    expect(answered.size).toBe(KEYS);
    expect(integrations).toHaveLength(KEYS); // no duplicates
    expect(byName.size).toBe(KEYS);
    expect(records).toHaveLength(KEYS); // no integration without its key, no key without its integration
    // Each key's stored outcome (encrypted at rest, so read back through a replay) names the
    // integration that exists for it, as did the answer the client got.
    const survivor = live[live.length - 1];
    for (const i of keys) {
      const id = byName.get(`crash-${i}`);
      expect(id).toBeDefined();
      expect(recordByKey.get(`crash-key-${i}`)?.status_code).toBe(201);
      expect(answered.get(i)!.body.data._id).toBe(id);
      const replay = await attempt(`${survivor.baseUrl}${ROUTE}`, {
        method: 'POST',
        headers: { authorization: `ApiKey ${apiKey}`, 'idempotency-key': `crash-key-${i}` },
        body: sendgridPayload({ name: `crash-${i}` }),
      });
      const replayedId = (replay.body as { data?: { _id?: string } } | undefined)?.data?._id;
      expect({ key: i, status: replay.status, replay: replay.replay, id: replayedId }).toEqual({ key: i, status: 201, replay: true, id });
    }
  });
});
