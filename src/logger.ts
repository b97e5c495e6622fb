import type * as Winston from 'winston';

/**
 * The init's own diagnostics. They go to stderr with a recognisable prefix so they never mix with the function's
 * log stream on stdout: `[lambda-sandbox] INFO <message>`.
 */
export interface Logger {
  log(level: string, message: string): void;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** npm's levels, as winston uses them: a message is written when its level is at or above the configured one. */
const LEVELS: Record<string, number> = { error: 0, warn: 1, info: 2, http: 3, verbose: 4, debug: 5, silly: 6 };

const format = (level: string, message: unknown): string => `[lambda-sandbox] ${level.toUpperCase()} ${String(message)}`;

/** error, warn and info: one synchronous write each, no dependency (winston took 25-40 ms of every cold start). */
class PlainLogger implements Logger {
  private readonly threshold: number;

  constructor(level: string) {
    this.threshold = LEVELS[level] ?? LEVELS.info;
  }

  log(level: string, message: string): void {
    const rank = LEVELS[level];
    if (rank === undefined || rank > this.threshold) return;
    process.stderr.write(format(level, message) + '\n');
  }

  error(message: string): void { this.log('error', message); }
  warn(message: string): void { this.log('warn', message); }
  info(message: string): void { this.log('info', message); }
  debug(message: string): void { this.log('debug', message); }
}

/** At debug level (or finer) the diagnostics go through winston, loaded only then; the lines look the same. */
function winstonLogger(level: string): Logger {
  // Loaded here and not at the top: only an operator asking for debug output pays for loading winston.
  const winston = require('winston') as typeof Winston;
  return winston.createLogger({
    level,
    format: winston.format.printf(({ level: lvl, message }) => format(lvl, message)),
    transports: [new winston.transports.Stream({ stream: process.stderr })],
  });
}

export function createLogger(level: string): Logger {
  return (LEVELS[level] ?? LEVELS.info) >= LEVELS.debug ? winstonLogger(level) : new PlainLogger(level);
}
