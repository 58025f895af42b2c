import { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LogLevel } from '../config/environment-variables';
import type { LogFormat } from './log-format';

/** Nest's level names → pino's. */
const PINO_LEVEL: Readonly<Record<LogLevel, Level>> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Nest's start-up chatter (one line per module and per route) is only wanted when debugging:
 * these contexts are logged at debug level, whatever level Nest gives them.
 */
const DEBUG_ONLY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * A safety net behind the access line's whitelisting serializers: should a request, its headers
 * or a credentials object ever reach a log call, these paths are censored.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'credentials',
  '*.credentials',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
];

export interface LoggerSettings {
  /** Nest's enabled levels, most severe first (AppConfig.logLevels): the last one is the threshold. */
  readonly levels: readonly LogLevel[];
  readonly format: LogFormat;
  /** Where lines go. Default: process.stdout, looked up at each write. */
  readonly destination?: { write(line: string): unknown };
  /** Colours in pretty lines. Default: stdout is a terminal. */
  readonly colorize?: boolean;
}

/** The process's pino logger: JSON lines, or pino-pretty's lines (README "Configuration": LOG_FORMAT). */
export function createRootLogger(settings: LoggerSettings): Logger {
  const destination = settings.destination ?? { write: (line: string) => process.stdout.write(line) };
  const threshold = settings.levels.at(-1);
  const options = {
    level: threshold ? PINO_LEVEL[threshold] : 'silent',
    base: { pid: process.pid },
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (settings.format === 'json') return pino(options, destination as DestinationStream);
  const prettify = prettyFactory({
    colorize: settings.colorize ?? process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context',
    messageFormat: (log, messageKey) => (log.context ? `[${String(log.context)}] ${String(log[messageKey])}` : String(log[messageKey])),
  });
  // Synchronous: a line is written before the call that logged it returns.
  return pino(options, { write: (line: string) => destination.write(prettify(line)) });
}

/**
 * Nest's LoggerService over pino: `new Logger('Context')` calls, Nest's own lines and ours share
 * one stream and one format. Nest appends the context as the last string parameter; `error`'s
 * first one is the stack.
 */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const rest = [...params];
    const context = rest.length > 0 && typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    const effective = context && DEBUG_ONLY_CONTEXTS.has(context) && level === 'info' ? 'debug' : level;
    if (!this.pino.isLevelEnabled(effective)) return;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if ((level === 'error' || level === 'fatal') && typeof rest[0] === 'string') fields.stack = rest[0];
    if (message instanceof Error) {
      fields.err = { type: message.name, message: message.message, stack: message.stack };
      this.pino[effective](fields, message.message);
    } else {
      this.pino[effective](fields, typeof message === 'string' ? message : JSON.stringify(message));
    }
  }
}
