import * as fs from 'node:fs';
import * as util from 'node:util';
import { isMainThread } from 'node:worker_threads';
import { intoError, toFormatted } from './errors';

/**
 * Console output in Lambda's formats (docs/lambda-behaviour.md#log-lines): every console call becomes one line on stdout,
 * `timestamp\trequestId\tLEVEL\tmessage` (Text) or one JSON object (JSON), embedded newlines turned into `\r`.
 */

interface Level {
  name: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  priority: number;
}

const LEVELS: Record<Level['name'], Level> = {
  TRACE: { name: 'TRACE', priority: 1 },
  DEBUG: { name: 'DEBUG', priority: 2 },
  INFO: { name: 'INFO', priority: 3 },
  WARN: { name: 'WARN', priority: 4 },
  ERROR: { name: 'ERROR', priority: 5 },
  FATAL: { name: 'FATAL', priority: 6 },
};

type LogFunction = (level: Level, ...params: unknown[]) => void;

/**
 * Who the running invocation is, for every line. The callback-model runtime prints `undefined` before the first
 * invoke, as Lambda's earlier runtimes do; the async-only runtime prints `-` there, as aws-lambda-ric 4.x does.
 */
export interface LogContext {
  requestId(): string | undefined;
  tenantId(): string | undefined;
}

let logContext: LogContext = { requestId: () => undefined, tenantId: () => undefined };

function errorType(error: Error): string {
  return error.constructor?.name ?? 'UnknownError';
}

function jsonErrorReplacer(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return {
    errorType: errorType(value),
    errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    ...value,
  };
}

export function formatTextLine(timestamp: string, requestId: string | undefined, level: string, params: unknown[]): string {
  return `${timestamp}\t${requestId}\t${level}\t${util.format(...params)}`.replace(/\n/g, '\r');
}

export function formatJsonLine(
  timestamp: string,
  requestId: string | undefined,
  tenantId: string | undefined,
  level: string,
  params: unknown[],
): string {
  const record: Record<string, unknown> = { timestamp, level, requestId };
  if (tenantId) record.tenantId = tenantId;
  let line: string;
  if (params.length === 1) {
    record.message = params[0];
    try {
      line = JSON.stringify(record, jsonErrorReplacer);
    } catch {
      record.message = util.format(params[0]);
      line = JSON.stringify(record);
    }
  } else {
    record.message = util.format(...params);
    const error = params.find((param): param is Error => param instanceof Error);
    if (error !== undefined) {
      record.errorType = errorType(error);
      record.errorMessage = error.message;
      record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
    }
    line = JSON.stringify(record);
  }
  return line.replace(/\n/g, '\r');
}

/**
 * A worker thread's process.stdout is a stream the main thread drains later: a worker writes its lines to fd 1 itself,
 * so they are out before its answer is posted and survive the worker's end (aws-lambda-ric 4.x does the same).
 */
function writeStdout(line: string): void {
  if (isMainThread) {
    process.stdout.write(line);
    return;
  }
  let rest = Buffer.from(line);
  try {
    while (rest.length > 0) rest = rest.subarray(fs.writeSync(1, rest));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    process.stdout.write(rest);
  }
}

const writeText: LogFunction = (level, ...params) => {
  writeStdout(formatTextLine(new Date().toISOString(), logContext.requestId(), level.name, params) + '\n');
};

const writeJson: LogFunction = (level, ...params) => {
  const line = formatJsonLine(new Date().toISOString(), logContext.requestId(), logContext.tenantId(), level.name, params);
  writeStdout(line + '\n');
};

export type LogFormat = 'TEXT' | 'JSON';

export function logFormatFrom(env: NodeJS.ProcessEnv): LogFormat {
  return env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON' ? 'JSON' : 'TEXT';
}

function minimumLevel(env: NodeJS.ProcessEnv): Level {
  const name = env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase();
  return name !== undefined && name in LEVELS ? LEVELS[name as Level['name']] : LEVELS.TRACE;
}

type PatchedConsole = Console & { fatal: (...params: unknown[]) => void };

let activeFormat: LogFormat = 'TEXT';

export interface ConsoleOptions {
  context: LogContext;
  /** JSON whatever AWS_LAMBDA_LOG_FORMAT says: Managed Instances log JSON only (docs/nodejs-runtime.md). */
  forceJson?: boolean;
}

/** Replaces console.trace/debug/info/log/warn/error and adds console.fatal; levels below AWS_LAMBDA_LOG_LEVEL print nothing. */
export function patchConsole(env: NodeJS.ProcessEnv, options: ConsoleOptions): void {
  logContext = options.context;
  activeFormat = options.forceJson ? 'JSON' : logFormatFrom(env);
  const write = activeFormat === 'JSON' ? writeJson : writeText;
  const minimum = minimumLevel(env);
  const noop = (): void => {};
  const at = (level: Level) => (level.priority >= minimum.priority ? (...params: unknown[]) => write(level, ...params) : noop);
  const target = console as PatchedConsole;
  target.trace = at(LEVELS.TRACE);
  target.debug = at(LEVELS.DEBUG);
  target.info = at(LEVELS.INFO);
  target.log = target.info;
  target.warn = at(LEVELS.WARN);
  target.error = at(LEVELS.ERROR);
  // FATAL is never filtered, as in Lambda's runtime.
  target.fatal = (...params: unknown[]) => write(LEVELS.FATAL, ...params);
}

/**
 * Logs an error the runtime reports (`Invoke Error`, `Uncaught Exception`, ...) the way Lambda does: in Text format
 * the label and the error as JSON after a tab, in JSON format the error object alone.
 */
export function logError(label: string, error: unknown): void {
  if (activeFormat === 'JSON') console.error(intoError(error));
  else console.error(label, toFormatted(intoError(error)));
}
