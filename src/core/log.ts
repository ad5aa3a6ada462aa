export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured JSON lines on stderr at or above a level (`STREAMFRAME_LOG_LEVEL`, default warn). */
export function jsonLogger(minLevel: LogLevel = (process.env.STREAMFRAME_LOG_LEVEL as LogLevel) ?? 'warn'): Logger {
  return {
    log(level, message, fields) {
      if (order[level] < (order[minLevel] ?? order.warn)) return;
      process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }) + '\n');
    },
  };
}

let current: Logger = jsonLogger();

export function setLogger(logger: Logger): void {
  current = logger;
}

export function log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  current.log(level, message, fields);
}
