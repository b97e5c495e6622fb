import * as winston from 'winston';

/**
 * The init's own diagnostics. They go to stderr with a recognisable prefix so they never mix with the function's
 * log stream on stdout.
 */
export type Logger = winston.Logger;

export function createLogger(level: string): Logger {
  return winston.createLogger({
    level,
    format: winston.format.printf(({ level: lvl, message }) => `[lambda-sandbox] ${lvl.toUpperCase()} ${String(message)}`),
    transports: [new winston.transports.Stream({ stream: process.stderr })],
  });
}
