import { beforeExit } from './beforeExit';

/** How one invocation ends; each posts to the Runtime API and then starts the next iteration of the loop. */
export interface InvocationOutcome {
  respond(result: unknown): void;
  fail(error: unknown): void;
}

export type HandlerCallback = (error?: unknown, result?: unknown) => void;

/** The callback-model part of `context`. */
export interface CallbackContext {
  callbackWaitsForEmptyEventLoop: boolean;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
  done(error?: unknown, result?: unknown): void;
}

export interface CallbackModel {
  callback: HandlerCallback;
  context: CallbackContext;
  /** The invocation was ended by the runtime itself (empty event loop); later callback calls are ignored. */
  markCompleted(): void;
}

/**
 * Node's callback programming model as Lambda implements it: only the first of callback/succeed/fail/done counts;
 * `callback(null, result)` waits for the event loop to run empty unless `callbackWaitsForEmptyEventLoop` is false;
 * succeed/fail/done answer at once.
 */
export function buildCallbackModel(outcome: InvocationOutcome): CallbackModel {
  let completed = false;
  let waitForEmptyEventLoop = true;

  const complete = (result: unknown): void => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    outcome.respond(result);
  };

  const failWith = (error: unknown): void => {
    completed = true;
    outcome.fail(error);
  };

  const callback = (error?: unknown, result?: unknown): void => {
    beforeExit.reset();
    if (error !== undefined && error !== null) {
      failWith(error);
    } else if (!waitForEmptyEventLoop) {
      complete(result);
    } else {
      beforeExit.set(() => {
        beforeExit.reset();
        setImmediate(() => complete(result));
      });
    }
  };

  const done = (error?: unknown, result?: unknown): void => {
    beforeExit.reset();
    if (error !== undefined && error !== null) failWith(error);
    else complete(result);
  };

  let finished = false;
  const firstCallOnly = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A): void => {
    if (finished) return;
    finished = true;
    fn(...args);
  };

  const context: CallbackContext = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waitForEmptyEventLoop = value;
    },
    succeed: firstCallOnly((result?: unknown) => done(null, result)),
    fail: firstCallOnly((error?: unknown) => done(error === undefined || error === null ? 'handled' : error)),
    done: firstCallOnly(done),
  };

  return {
    callback: firstCallOnly(callback),
    context,
    markCompleted: () => {
      completed = true;
    },
  };
}
