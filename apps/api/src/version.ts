import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'integrations-service';

let cached: string | undefined;

/**
 * The service's version: `version` of its package.json, found by walking up from this file (the
 * same answer from the TypeScript sources, the compiled `dist/…` tree and the Docker image, which
 * keeps package.json next to dist/). Read once.
 */
export function serviceVersion(): string {
  cached ??= findVersion(__dirname);
  return cached;
}

function findVersion(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no (readable) package.json here: keep walking up
    }
    if (dirname(dir) === dir) throw new Error(`package.json of ${PACKAGE_NAME} not found above ${start}`);
  }
}
