export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * LOG_FORMAT when set; otherwise JSON lines, except for a person at a terminal outside
 * production, who gets pino-pretty's coloured lines.
 */
export function resolveLogFormat(requested: LogFormat | undefined, nodeEnv: string, stdoutIsTerminal: boolean): LogFormat {
  if (requested) return requested;
  return stdoutIsTerminal && nodeEnv !== 'production' ? 'pretty' : 'json';
}
