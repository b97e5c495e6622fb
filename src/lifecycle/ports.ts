import type { Invocation, ResultPort } from '../invoke/invocation';
import type { ExtensionEvent } from './extension';

/**
 * The seams between the HTTP APIs and the environment: handlers call these and nothing else, and nothing here calls
 * back into the API layer.
 */

/** A runtime's parked `GET /next`. */
export interface NextWaiter {
  deliver(invocation: Invocation): void;
  /** False once the runtime has dropped the connection. */
  readonly alive: boolean;
}

/** An error the runtime reported through /init/error or /invocation/{id}/error. */
export interface ErrorReport {
  errorType: string;
  body: Buffer;
}

/**
 * The Runtime API's view of the current runtime. Refusals throw TransitionError, InvalidRequestIdError or one of
 * invocationRefusals.ts.
 */
export interface RuntimePort {
  next(waiter: NextWaiter): void;
  /**
   * A `/response` or `/error` for `requestId` starts; the result is written to what this returns. `invocationId`
   * is the `Lambda-Runtime-Invocation-Id` the runtime echoed, if it did.
   */
  beginResult(requestId: string, kind: 'response' | 'error', invocationId?: string): ResultPort;
  /** The result body for `requestId` has been read completely (or refused); the runtime may call /next. */
  endResult(requestId: string): void;
  /** Throws unless `/init/error` is allowed now (checked before its body is read). */
  admitInitError(): void;
  reportInitError(report: ErrorReport): void;
}

/** An extension's parked `GET /event/next`. */
export interface EventWaiter {
  deliver(event: ExtensionEvent): void;
  readonly alive: boolean;
}

export interface Registration {
  id: string;
}

/** The Extensions API's view of the current sandbox's extensions. Refusals throw ExtensionApiError or TransitionError. */
export interface ExtensionsPort {
  register(name: string | undefined, body: unknown): Registration;
  /** The name of the extension a `Lambda-Extension-Identifier` names. */
  identify(identifier: string | undefined): string;
  next(identifier: string | undefined, waiter: EventWaiter): void;
  /** `/init/error` or `/exit/error`: the extension failed, and the sandbox with it. */
  reportError(identifier: string | undefined, kind: 'init' | 'exit', errorType: string): void;
}

/** The runtime of a sandbox that has been reset away (or never started): its calls get a 500. */
export class NoRuntimeError extends Error {
  constructor() {
    super('No runtime is running in this environment; the runtime should exit');
  }
}
