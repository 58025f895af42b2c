// Architecture rules (npm run lint:deps): dependencies point inwards.
//   domain/       → no framework, no persistence, no outer layer
//   application/  → no persistence, no infrastructure
//   typeorm / @nestjs/typeorm / pg → only infrastructure/, module files and apps/api/src/database
//   application/<use case>/ → its own folder, ports/ and the shared application modules only
const fs = require('node:fs');
const path = require('node:path');

/**
 * The use-case folders of every library: a folder directly under libs/<lib>/src/application that
 * holds a `*.use-case.ts`. The other folders (ports/, shared modules such as outbound-urls/) and the
 * files directly under application/ are shared by the use cases. Read from the tree, so that a new
 * use case is covered without editing this file.
 */
function useCaseFolders() {
  const folders = [];
  for (const lib of fs.readdirSync('libs', { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const application = path.join('libs', lib.name, 'src', 'application');
    if (!fs.existsSync(application)) continue;
    for (const folder of fs.readdirSync(application, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
      if (fs.readdirSync(path.join(application, folder.name)).some((file) => file.endsWith('.use-case.ts'))) {
        folders.push(`${application}/${folder.name}/`.split(path.sep).join('/'));
      }
    }
  }
  return folders;
}
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const USE_CASE_FOLDERS = `^(${useCaseFolders().map(escapeRegExp).join('|')})`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'libraries-through-their-index',
      comment: 'apps/ import a library only through its public entry (libs/*/src/index.ts), like any other host.',
      severity: 'error',
      from: { path: '^apps/' },
      to: { path: '^libs/[^/]+/src/', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'domain-is-pure',
      comment: 'libs/*/src/domain may not use NestJS, TypeORM or pg.',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/domain/' },
      to: { path: ['(^|/)node_modules/(@nestjs/|typeorm/|pg/|pg-[^/]+/)', '^(@nestjs/|typeorm$|pg$)'] },
    },
    {
      name: 'domain-not-outwards',
      comment: 'libs/*/src/domain may not import the application or infrastructure layers.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/src/domain/' },
      to: { path: '^libs/[^/]+/src/(application|infrastructure)/' },
    },
    {
      name: 'application-no-persistence',
      comment: 'libs/*/src/application may not use TypeORM, @nestjs/typeorm or pg (ports are abstract classes).',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/application/' },
      to: { path: ['(^|/)node_modules/(typeorm/|@nestjs/typeorm/|pg/)', '^(typeorm$|@nestjs/typeorm$|pg$)'] },
    },
    {
      name: 'application-not-infrastructure',
      comment: 'libs/*/src/application may not import infrastructure.',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/application/' },
      to: { path: '^libs/[^/]+/src/infrastructure/' },
    },
    {
      name: 'application-not-into-another-use-case',
      comment:
        "Application code may not import another use case's folder (its internals, nor the use case itself): only its own folder, " +
        'ports/, and the shared application modules. Something two use cases need belongs in a shared module or the domain. Specs may ' +
        'use other use cases to arrange their state.',
      severity: 'error',
      from: { path: '^(libs/[^/]+/src/application/)([^/]+)/', pathNot: '\\.spec\\.ts$' },
      to: { path: USE_CASE_FOLDERS, pathNot: '^$1$2/' },
    },
    {
      name: 'application-files-not-into-a-use-case',
      comment: 'The shared files directly under libs/*/src/application may not import a use-case folder.',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/application/[^/]+$', pathNot: '\\.spec\\.ts$' },
      to: { path: USE_CASE_FOLDERS },
    },
    {
      name: 'persistence-only-at-the-edge',
      comment:
        'typeorm, @nestjs/typeorm and pg only from libs/*/src/infrastructure, apps/api/src/*/infrastructure, *.module.ts, apps/api/src/database and apps/api/src/app.module.ts.',
      severity: 'error',
      from: {
        path: '^(apps|libs)/',
        pathNot: ['^libs/[^/]+/src/infrastructure/', '^apps/api/src/[^/]+/infrastructure/', '\\.module\\.ts$', '^apps/api/src/database/'],
      },
      to: { path: ['(^|/)node_modules/(typeorm/|@nestjs/typeorm/|pg/)', '^(typeorm$|@nestjs/typeorm$|pg$)'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo or a missing dependency).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|[.]data|libs/[^/]+/dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
