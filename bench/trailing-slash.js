// Micro-benchmark (no service, no database): the old trailing-slash trim of a caller's base URL,
// `base.replace(/\/+$/, '')`, against the linear `trimTrailingSlashes` the verifiers use now.
// Input: `https://h` + N slashes + `a`, the shape V8 retries from every slash (quadratic).
// Run: `npm run build --silent && node bench/trailing-slash.js`. Prints times; asserts nothing.
'use strict';
const path = require('node:path');

const { trimTrailingSlashes } = require(
  path.join(__dirname, '..', 'dist/apps/api/libs/integrations/src/infrastructure/verification/provider-verifier.js'),
);

function ms(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const rows = [];
for (const n of [5_000, 10_000, 20_000, 40_000, 80_000]) {
  const base = `https://h${'/'.repeat(n)}a`;
  const regex = ms(() => base.replace(/\/+$/, ''));
  const linear = ms(() => trimTrailingSlashes(base));
  rows.push({ slashes: n, 'regex ms': regex.toFixed(1), 'linear ms': linear.toFixed(3) });
}
console.table(rows);
