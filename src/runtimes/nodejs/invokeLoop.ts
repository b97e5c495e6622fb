import { apiFailure, isPromiseLike } from './apiFailure';
import { beforeExit } from './beforeExit';
import { buildCallbackModel, type InvocationOutcome } from './callbackContext';
import { NodeJsExit, toRapidError } from './errors';
import type { HandlerMetadata, UserHandler } from './handlerLoader';
import { forwardTraceId, invokeData } from './invokeContext';
import { storeContextOf, type InvokeStore } from './invokeStore';
import { logError } from './logPatch';
import { ResponseStream } from './responseStream';
import { finished } from './streamFinished';
import type { Invocation, InvocationRef, RuntimeApiClient } from './runtimeApiClient';

/** What uncaught exceptions and unhandled rejections are reported against: the init, or the running invocation. */
export interface FatalErrorSink {
  report(error: unknown, exitCode: number): void;
}

function serialize(result: unknown): string {
  return JSON.stringify(result === undefined ? null : result) ?? 'null';
}

/**
 * The callback-model runtime's main loop (Node.js 22 and earlier, one invocation at a time; docs/nodejs-runtime.md):
 * GET /next, run the handler, POST the result or error, again. Each iteration starts
 * from setImmediate so user code of one invocation never runs on the stack of the previous one.
 */
export class InvokeLoop {
  constructor(
    private readonly client: RuntimeApiClient,
    private readonly handler: UserHandler,
    private readonly metadata: HandlerMetadata,
    private readonly fatal: { current: FatalErrorSink },
    private readonly store: InvokeStore,
  ) {}

  scheduleIteration = (): void => {
    setImmediate(() => {
      this.client.next().then((invocation) => this.run(invocation), apiFailure);
    });
  };

  private run(invocation: Invocation): void {
    // One invocation at a time: the store keeps it as the current one until the next replaces it.
    this.store.run(storeContextOf(invocation), () => undefined);
    this.fatal.current = {
      report: (error, exitCode) => {
        this.client.postError(invocation, toRapidError(error)).then(() => process.exit(exitCode), apiFailure);
      },
    };
    if (this.metadata.streaming) void this.runStreaming(invocation);
    else this.runBuffered(invocation);
  }

  private outcome(invocation: InvocationRef): InvocationOutcome {
    return {
      respond: (result) => {
        let body: string;
        try {
          body = serialize(result);
        } catch {
          this.outcome(invocation).fail(new Error('Unable to stringify response body'));
          return;
        }
        this.client.postResponse(invocation, body).then(this.scheduleIteration, apiFailure);
      },
      fail: (error) => {
        logError('Invoke Error', error);
        this.client.postError(invocation, toRapidError(error)).then(this.scheduleIteration, apiFailure);
      },
    };
  }

  private runBuffered(invocation: Invocation): void {
    const outcome = this.outcome(invocation);
    const { callback, context, markCompleted } = buildCallbackModel(outcome);
    // The handler never called back and nothing is left to do: an async handler's promise can never settle any
    // more (an error), a callback handler that just returned answers null.
    beforeExit.set(() => {
      beforeExit.reset();
      markCompleted();
      if (this.metadata.isAsync) outcome.fail(new NodeJsExit());
      else this.client.postResponse(invocation, 'null').then(this.scheduleIteration, apiFailure);
    });
    try {
      forwardTraceId(invocation);
      const fullContext = Object.assign(context, invokeData(invocation, process.env));
      const result = this.handler(JSON.parse(invocation.body), fullContext, callback);
      if (isPromiseLike(result)) result.then(context.succeed, context.fail);
    } catch (error) {
      callback(error);
    }
  }

  private async runStreaming(invocation: Invocation): Promise<void> {
    let waitForEmptyEventLoop = true;
    const context = Object.defineProperty({}, 'callbackWaitsForEmptyEventLoop', {
      get: () => waitForEmptyEventLoop,
      set: (value: boolean) => {
        waitForEmptyEventLoop = value;
      },
      enumerable: true,
    });
    const stream = new ResponseStream(
      (headers) => this.client.streamingRequest(invocation, headers),
      this.metadata.highWaterMark,
    );
    let completed = false;
    const complete = (failure?: { error: unknown }): void => {
      if (completed) return;
      completed = true;
      void this.completeStreaming(stream, failure, () => waitForEmptyEventLoop);
    };
    // The handler's promise can never settle once nothing is left to run: the invocation fails.
    beforeExit.set(() => complete({ error: new NodeJsExit() }));
    try {
      forwardTraceId(invocation);
      const result = this.handler(JSON.parse(invocation.body), stream, Object.assign(context, invokeData(invocation, process.env)));
      if (!isPromiseLike(result)) {
        complete({ error: 'Streaming does not support non-async handlers.' });
        return;
      }
      if ((await result) !== undefined) console.warn('Streaming handlers ignore return values.');
      if (!stream.writableEnded) {
        complete({ error: 'Response stream is not finished.' });
        return;
      }
      await finished(stream);
      complete();
    } catch (error) {
      complete({ error });
    }
  }

  /** Sends the error trailers if the invocation failed, waits for the Runtime API's answer, then goes on. */
  private async completeStreaming(stream: ResponseStream, failure: { error: unknown } | undefined, waits: () => boolean): Promise<void> {
    beforeExit.reset();
    if (failure !== undefined) {
      logError('Invoke Error', failure.error);
      await stream.fail(failure.error);
    }
    await stream.apiReply;
    if (!waits()) this.scheduleIteration();
    else {
      beforeExit.set(() => {
        beforeExit.reset();
        this.scheduleIteration();
      });
    }
  }
}
