'use strict';
/**
 * `npm run bench -- --scale` (after the throughput scenarios): does a route get slower as the
 * table grows with other tenants' rows? For each size of BENCH_SCALE_SIZES (1,000 then 1,000,000):
 * other organizations (two environments each, BENCH_SCALE_PER_ENVIRONMENT integrations per
 * environment, every tenth one active) are added by `generate_series` in one statement per chunk
 * until that many integrations are stored outside the bench's own organizations, then `ANALYZE`;
 * the rows the creates wrote so far are deleted (`VACUUM ANALYZE integrations`), so that the table
 * holds the size plus the 200 listed rows; then create and the lists are measured against the
 * floor as in the main run. Cost = 1 ÷ req/s;
 * the growth ratio is cost at the largest size ÷ cost at the smallest (target ≤ 1.2), also
 * corrected by the floor's own ratio (the machine's drift between the two measurements).
 */
const { randomBytes } = require('node:crypto');

const PER_ENVIRONMENT = Number(process.env.BENCH_SCALE_PER_ENVIRONMENT ?? 500);
const CHUNK_ROWS = 50_000;
const TARGET = 1.2;

/** Adds `rows` integrations in new organizations (2 environments each); one statement. */
async function seedChunk(client, chunk, rows, credentials) {
  const environments = Math.max(1, Math.ceil(rows / PER_ENVIRONMENT));
  const organizations = Math.ceil(environments / 2);
  await client.query(
    `WITH orgs AS (
       INSERT INTO organizations (name)
       SELECT 'Scale ' || $1::text || '-' || g FROM generate_series(1, $2::int) g
       RETURNING id
     ), envs AS (
       INSERT INTO environments (organization_id, name)
       SELECT o.id, e.name FROM orgs o CROSS JOIN (VALUES ('Development'), ('Production')) AS e(name)
       RETURNING id, organization_id
     ), numbered AS (
       SELECT id, organization_id, (row_number() OVER ()) - 1 AS slot FROM envs
     )
     INSERT INTO integrations (id, organization_id, environment_id, name, identifier, provider_id, channel, kind, active,
                               credentials, created_at, updated_at)
     SELECT gen_random_uuid(), e.organization_id, e.id, 'Scale ' || n, 'scale-' || n, 'sendgrid', 'email', 'delivery',
            n % 10 = 0, $3::jsonb, now() - make_interval(secs => n), now()
       FROM generate_series(0, $4::int - 1) n
       JOIN numbered e ON e.slot = n % (SELECT count(*) FROM numbered)`,
    [String(chunk), organizations, credentials, rows],
  );
}

module.exports = async function growth(h, { databaseUrl, writerOrganizationId, measure, scenarios }) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  h.onCleanup(() => client.end().catch(() => undefined));
  // A stored envelope of the usual size (never decrypted: the bench's callers do not see these rows).
  const credentials = JSON.stringify({
    v: 1,
    kid: 'scale',
    iv: randomBytes(12).toString('base64'),
    tag: randomBytes(16).toString('base64'),
    ct: randomBytes(110).toString('base64'),
  });
  let stored = 0;
  let chunk = 0;
  const sizes = [];
  for (const size of h.SCALE_SIZES) {
    if (size > stored) {
      h.progress(
        `growth: seeding ${(size - stored).toLocaleString('en-US')} integrations of other organizations (to ${size.toLocaleString('en-US')}) ...`,
      );
      const t0 = Date.now();
      const from = stored;
      while (stored < size) {
        const rows = Math.min(CHUNK_ROWS, size - stored);
        await seedChunk(client, ++chunk, rows, credentials);
        stored += rows;
        const seconds = (Date.now() - t0) / 1000;
        h.progress(
          `  ${stored.toLocaleString('en-US')} / ${size.toLocaleString('en-US')} stored (${seconds.toFixed(1)} s, ${Math.round((stored - from) / seconds).toLocaleString('en-US')} rows/s)`,
        );
      }
      h.progress('  ANALYZE ...');
      await client.query('ANALYZE');
    }
    // The writes of the scenarios so far (the floor alone adds thousands a second) are not part of the size.
    const { rowCount } = await client.query('DELETE FROM integrations WHERE organization_id = $1', [writerOrganizationId]);
    h.progress(`  removed the ${rowCount.toLocaleString('en-US')} integrations the creates wrote so far; VACUUM ANALYZE integrations ...`);
    await client.query('VACUUM ANALYZE integrations');
    const [{ count }] = (await client.query('SELECT count(*)::int AS count FROM integrations')).rows;
    h.progress(`growth: ${count.toLocaleString('en-US')} integrations in the table; measuring create and the lists ...`);
    const results = [];
    for (const scenario of scenarios) results.push(await measure({ ...scenario, name: `${scenario.name}@${size}` }));
    sizes.push({ size, tableRows: count, results });
  }

  const first = sizes[0];
  const last = sizes[sizes.length - 1];
  const comparisons = [];
  if (first && last && first !== last) {
    for (let i = 0; i < first.results.length; i++) {
      const a = first.results[i];
      const b = last.results[i];
      const service = a.figures[a.subject].reqPerSec / b.figures[b.subject].reqPerSec;
      const floor = a.figures[a.reference].reqPerSec / b.figures[b.reference].reqPerSec;
      comparisons.push({
        scenario: a.name.replace(/@.*/, ''),
        costRatio: h.round(service, 2),
        floorCostRatio: h.round(floor, 2),
        costRatioVsFloor: h.round(service / floor, 2),
        p50Ratio: h.round(b.figures[b.subject].p50 / a.figures[a.subject].p50, 2),
        roundTrips: [a.figures[a.subject].roundTripsPerRequest, b.figures[b.subject].roundTripsPerRequest],
        met: h.round(service, 2) <= TARGET,
      });
    }
  }

  const lines = [
    `Growth (other organizations' integrations stored; cost = 1 ÷ req/s; target: cost at ${last.size} ≤ ${TARGET}× cost at ${first.size})`,
  ];
  for (const s of sizes) {
    for (const r of s.results) {
      const own = r.figures[r.subject];
      const ref = r.figures[r.reference];
      lines.push(
        `  ${r.name.padEnd(28)} table ${String(s.tableRows).padStart(9)} rows: service ${own.reqPerSec.toFixed(0)} req/s, p50 ${own.p50} ms, ` +
          `p99 ${own.p99} ms, ${own.roundTripsPerRequest} round trips; floor ${ref.reqPerSec.toFixed(0)} req/s (${r.ratio.reqPerSec.toFixed(2)}x)`,
      );
    }
  }
  for (const c of comparisons) {
    lines.push(
      `  ${c.scenario.padEnd(20)} cost ${c.costRatio}x at ${last.size} vs ${first.size} (${c.met ? 'met' : 'MISSED'}), p50 ${c.p50Ratio}x; ` +
        `floor ${c.floorCostRatio}x, service ÷ floor ${c.costRatioVsFloor}x; round trips ${c.roundTrips.join(' → ')}`,
    );
  }
  await client.end();
  return { sizes, comparisons, lines };
};
