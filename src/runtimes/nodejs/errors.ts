import * as util from 'node:util';

/** The error document the runtime posts to the Runtime API, shaped like Lambda's Node.js runtime does it. */
export interface RapidError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/**
 * Runtime errors carry their Lambda type as `name` on the prototype, so the first stack line reads
 * `Runtime.HandlerNotFound: ...` exactly as in Lambda.
 */
export function runtimeError(type: string): new (message: string) => Error {
  const RuntimeError = class extends Error {};
  Object.defineProperty(RuntimeError.prototype, 'name', { value: `Runtime.${type}`, writable: true, configurable: true });
  Object.defineProperty(RuntimeError, 'name', { value: type });
  return RuntimeError;
}

export const HandlerNotFound = runtimeError('HandlerNotFound');
export const MalformedHandlerName = runtimeError('MalformedHandlerName');
export const MalformedStreamingHandler = runtimeError('MalformedStreamingHandler');
export const InvalidStreamingOperation = runtimeError('InvalidStreamingOperation');
const ImportModuleErrorBase = runtimeError('ImportModuleError');
const UserCodeSyntaxErrorBase = runtimeError('UserCodeSyntaxError');
const UnhandledPromiseRejectionBase = runtimeError('UnhandledPromiseRejection');

/** A module that could not be found; the message is the original error as text (`Error: Cannot find module ...`). */
export class ImportModuleError extends ImportModuleErrorBase {
  constructor(cause: unknown) {
    super(String(cause));
  }
}

/** A syntax error in the user's code; the message is the original error as text (`SyntaxError: ...`). */
export class UserCodeSyntaxError extends UserCodeSyntaxErrorBase {
  constructor(cause: unknown) {
    super(String(cause));
  }
}

export class UnhandledPromiseRejection extends UnhandledPromiseRejectionBase {
  constructor(readonly reason: unknown, readonly promise: Promise<unknown>) {
    super(String(reason));
  }
}

/** An async handler whose promise never settled before the event loop ran empty. */
export class NodeJsExit extends runtimeError('NodeJsExit') {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise ' +
        'that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}

function looksLikeError(value: unknown): value is Error {
  const candidate = value as Partial<Error> | null | undefined;
  return (
    typeof candidate?.name === 'string' && candidate.name !== '' &&
    typeof candidate.message === 'string' && candidate.message !== '' &&
    typeof candidate.stack === 'string' && candidate.stack !== ''
  );
}

/**
 * Serializes anything a handler failed with: errors by name/message/stack, anything else by its `typeof` and text
 * (`callback('boom')` becomes `{"errorType":"string","errorMessage":"boom","trace":[]}` in Lambda too).
 */
export function toRapidError(error: unknown): RapidError {
  try {
    if (util.types.isNativeError(error) || looksLikeError(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

export function intoError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** An error with its name, message, code, stack lines and own properties, for the text log line. */
function withEnumerableProperties(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const plain: Record<string, unknown> = {
    errorType: value.name,
    errorMessage: value.message,
    code: (value as NodeJS.ErrnoException).code,
    ...value,
  };
  if (typeof value.stack === 'string') plain.stack = value.stack.split('\n');
  return plain;
}

/** The error part of a text log line (`Invoke Error \t{...}`); always starts with a tab, like Lambda's. */
export function toFormatted(error: Error): string {
  try {
    return '\t' + JSON.stringify(error, (_key, value: unknown) => withEnumerableProperties(value));
  } catch {
    return '\t' + JSON.stringify(toRapidError(error));
  }
}
