import { beforeExit } from './beforeExit';
import { buildCallbackModel, type InvocationOutcome } from './callbackContext';
import { NodeJsExit, toRapidError } from './errors';
import type { HandlerMetadata, UserHandler } from './handlerLoader';
import { forwardTraceId, invokeData } from './invokeContext';
import { logError, setLogContext } from './logPatch';
import { ResponseStream } from './responseStream';
import type { Invocation, RuntimeApiClient } from './runtimeApiClient';

/** What uncaught exceptions and unhandled rejections are reported against: the init, or the running invocation. */
export interface FatalErrorSink {
  report(error: unknown, exitCode: number): void;
}

/** Ends the runtime when the Runtime API itself fails; nothing sensible can follow. */
function apiFailure(error: unknown): never {
  process.stderr.write(`lambda-sandbox nodejs runtime: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}

function serialize(result: unknown): string {
  return JSON.stringify(result === undefined ? null : result) ?? 'null';
}

/**
 * The runtime's main loop (spec 2): GET /next, run the handler, POST the result or error, again. Each iteration starts
 * from setImmediate so user code of one invocation never runs on the stack of the previous one.
 */
export class InvokeLoop {
  constructor(
    private readonly client: RuntimeApiClient,
    private readonly handler: UserHandler,
    private readonly metadata: HandlerMetadata,
    private readonly fatal: { current: FatalErrorSink },
  ) {}

  scheduleIteration = (): void => {
    setImmediate(() => {
      this.client.next().then((invocation) => this.run(invocation), apiFailure);
    });
  };

  private run(invocation: Invocation): void {
    setLogContext(invocation.requestId, invocation.headers['lambda-runtime-aws-tenant-id'] as string | undefined);
    this.fatal.current = {
      report: (error, exitCode) => {
        this.client.postError(invocation.requestId, toRapidError(error)).then(() => process.exit(exitCode), apiFailure);
      },
    };
    if (this.metadata.streaming) void this.runStreaming(invocation);
    else this.runBuffered(invocation);
  }

  private outcome(requestId: string): InvocationOutcome {
    return {
      respond: (result) => {
        let body: string;
        try {
          body = serialize(result);
        } catch {
          this.outcome(requestId).fail(new Error('Unable to stringify response body'));
          return;
        }
        this.client.postResponse(requestId, body).then(this.scheduleIteration, apiFailure);
      },
      fail: (error) => {
        logError('Invoke Error', error);
        this.client.postError(requestId, toRapidError(error)).then(this.scheduleIteration, apiFailure);
      },
    };
  }

  private runBuffered(invocation: Invocation): void {
    const outcome = this.outcome(invocation.requestId);
    const { callback, context, markCompleted } = buildCallbackModel(outcome);
    // The handler never called back and nothing is left to do: an async handler's promise can never settle any
    // more (an error), a callback handler that just returned answers null.
    beforeExit.set(() => {
      beforeExit.reset();
      markCompleted();
      if (this.metadata.isAsync) outcome.fail(new NodeJsExit());
      else this.client.postResponse(invocation.requestId, 'null').then(this.scheduleIteration, apiFailure);
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
      (headers) => this.client.streamingRequest(invocation.requestId, headers),
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

/** Resolves when the stream's data is all handed to the connection; rejects when it broke on the way. */
function finished(stream: ResponseStream): Promise<void> {
  if (stream.writableFinished) return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('close', () => (stream.writableFinished ? resolve() : reject(new Error('The response stream closed before it finished.'))));
  });
}
