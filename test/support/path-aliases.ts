import Module from 'node:module';
import { join } from 'node:path';

/**
 * Resolves `@app/integrations` / `@app/tenancy` for code loaded outside Jest's module registry
 * (globalSetup), where `moduleNameMapper` does not apply. Idempotent.
 */
export function registerPathAliases(repo: string): void {
  const loader = Module as unknown as {
    _resolveFilename(request: string, ...rest: unknown[]): string;
    __appAliases?: boolean;
  };
  if (loader.__appAliases) return;
  loader.__appAliases = true;
  const original = loader._resolveFilename;
  loader._resolveFilename = function (request: string, ...rest: unknown[]) {
    const match = /^@app\/(integrations|tenancy)(\/.*)?$/.exec(request);
    const mapped = match ? join(repo, 'libs', match[1], 'src', match[2] ?? '') : request;
    return original.call(this, mapped, ...rest);
  };
}
