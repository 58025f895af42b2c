import { createRootLogger, PinoNestLogger } from './create-logger';
import { resolveLogFormat } from './log-format';
import { requestIdFor } from './request-id';

function loggerWriting(format: 'json' | 'pretty', levels: Parameters<typeof createRootLogger>[0]['levels']) {
  const lines: string[] = [];
  const logger = new PinoNestLogger(
    createRootLogger({ levels, format, colorize: false, destination: { write: (line) => lines.push(line) } }),
  );
  return { logger, lines };
}

describe('log format', () => {
  it('is JSON unless a terminal outside production, and LOG_FORMAT overrides', () => {
    expect(resolveLogFormat(undefined, 'development', false)).toBe('json');
    expect(resolveLogFormat(undefined, 'development', true)).toBe('pretty');
    expect(resolveLogFormat(undefined, 'production', true)).toBe('json');
    expect(resolveLogFormat('pretty', 'production', false)).toBe('pretty');
    expect(resolveLogFormat('json', 'development', true)).toBe('json');
  });

  it('writes one JSON object per line, Nest levels mapped to pino labels, the context as a field', () => {
    const { logger, lines } = loggerWriting('json', ['fatal', 'error', 'warn', 'log']);
    logger.log('Listening', 'Main');
    logger.warn('careful', 'Main');
    logger.error('broke', 'Error: broke\n    at x', 'Filter');
    logger.debug('hidden', 'Main');
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed.map(({ level, context, msg }) => ({ level, context, msg }))).toEqual([
      { level: 'info', context: 'Main', msg: 'Listening' },
      { level: 'warn', context: 'Main', msg: 'careful' },
      { level: 'error', context: 'Filter', msg: 'broke' },
    ]);
    expect(parsed[2].stack).toContain('at x');
  });

  it('writes readable lines, not JSON, only when asked for pretty', () => {
    const { logger, lines } = loggerWriting('pretty', ['fatal', 'error', 'warn', 'log']);
    logger.log('Listening on http://127.0.0.1:3000', 'Main');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO.*\[Main\] Listening on http:\/\/127\.0\.0\.1:3000/);
    expect(() => JSON.parse(lines[0])).toThrow();
  });

  it("logs Nest's route mapping only at debug level", () => {
    const quiet = loggerWriting('json', ['fatal', 'error', 'warn', 'log']);
    quiet.logger.log('Mapped {/v1/integrations, GET} route', 'RouterExplorer');
    quiet.logger.log('IntegrationsController {/v1/integrations}:', 'RoutesResolver');
    expect(quiet.lines).toEqual([]);
    const verbose = loggerWriting('json', ['fatal', 'error', 'warn', 'log', 'debug']);
    verbose.logger.log('Mapped {/v1/integrations, GET} route', 'RouterExplorer');
    expect(verbose.lines.map((line) => JSON.parse(line).level)).toEqual(['debug']);
  });

  it('censors credential-like fields should one reach a log call', () => {
    const lines: string[] = [];
    const root = createRootLogger({ levels: ['log'], format: 'json', destination: { write: (line) => lines.push(line) } });
    root.info({ req: { headers: { authorization: 'ApiKey sk-1' } }, credentials: { apiKey: 'sk-2' } }, 'oops');
    expect(lines.join('')).not.toMatch(/sk-1|sk-2/);
  });
});

describe('request ids', () => {
  const generate = () => 'generated';
  it('keeps a sane X-Request-Id and replaces anything else', () => {
    expect(requestIdFor({ 'x-request-id': 'abc-1.2:3_4' }, generate)).toBe('abc-1.2:3_4');
    expect(requestIdFor({ 'x-request-id': 'a'.repeat(128) }, generate)).toBe('a'.repeat(128));
    for (const value of ['a'.repeat(129), 'a b', 'a\nb', '<script>', '', undefined]) {
      expect(requestIdFor({ 'x-request-id': value }, generate)).toBe('generated');
    }
    expect(requestIdFor({}, generate)).toBe('generated');
  });
});
