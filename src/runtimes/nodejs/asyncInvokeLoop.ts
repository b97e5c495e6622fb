import { apiFailure, isPromiseLike } from './apiFailure';
import { runtimeError, toRapidError } from './errors';
import type { HandlerMetadata, UserHandler } from './handlerLoader';
import { forwardTraceId, invokeData, type InvokeData } from './invokeContext';
import { storeContextOf, type InvokeStore } from './invokeStore';
import { logError } from './logPatch';
import { ResponseStream } from './responseStream';
import type { Invocation, RuntimeApiClient } from './runtimeApiClient';
import { finished } from './streamFinished';

const JSONStringifyError = runtimeError('JSONStringifyError');

/** The async-only model's context: no callbackWaitsForEmptyEventLoop, no succeed/fail/done; the trace id on it. */
export interface AsyncContext extends InvokeData {
  xRayTraceId: string | undefined;
}

function asyncContext(invocation: Invocation): AsyncContext {
  const trace = invocation.headers['lambda-runtime-trace-id'];
  return { ...invokeData(invocation, process.env), xRayTraceId: (Array.isArray(trace) ? trace[0] : trace) || undefined };
}

function serialize(result: unknown): string {
  try {
    return JSON.stringify(result === undefined ? null : result) ?? 'null';
  } catch {
    throw new JSONStringifyError('Unable to stringify response body');
  }
}

export interface AsyncLoopOptions {
  /**
   * Copy each invocation's trace id into `_X_AMZN_TRACE_ID`: only when one invocation runs at a time; concurrent
   * invocations share the environment, so there the trace id is on the context and in awslambda.InvokeStore.
   */
  traceIdToEnv: boolean;
}

/**
 * The async-only runtime (Node.js 24 and later, and every worker thread in Managed Instances mode;
 * docs/nodejs-runtime.md): `loops` concurrent GET /next loops, each awaiting `handler(event, context)` and posting
 * its result, with every invocation's ids in the invoke store. Nothing waits for the event loop to run empty: a
 * handler whose promise never settles, with nothing else left to run, ends the process as in aws-lambda-ric 4.x.
 */
export class AsyncInvokeLoop {
  private readonly inFlight = new Set<Invocation>();

  constructor(
    private readonly client: RuntimeApiClient,
    private readonly handler: UserHandler,
    private readonly metadata: HandlerMetadata,
    private readonly store: InvokeStore,
    private readonly options: AsyncLoopOptions,
  ) {}

  start(loops: number): void {
    for (let i = 0; i < loops; i++) void this.loop();
  }

  /** The invocations running now, which an uncaught exception is reported against. */
  running(): Invocation[] {
    return [...this.inFlight];
  }

  private async loop(): Promise<void> {
    for (;;) {
      const invocation = await this.client.next().catch(apiFailure);
      this.inFlight.add(invocation);
      try {
        await this.store.run(storeContextOf(invocation), () => this.invoke(invocation));
      } finally {
        this.inFlight.delete(invocation);
      }
    }
  }

  private async invoke(invocation: Invocation): Promise<void> {
    if (this.options.traceIdToEnv) forwardTraceId(invocation);
    if (this.metadata.streaming) await this.invokeStreaming(invocation);
    else await this.invokeBuffered(invocation);
  }

  private async invokeBuffered(invocation: Invocation): Promise<void> {
    let body: string;
    try {
      body = serialize(await this.handler(JSON.parse(invocation.body), asyncContext(invocation)));
    } catch (error) {
      logError('Invoke Error', error);
      await this.client.postError(invocation, toRapidError(error)).catch(apiFailure);
      return;
    }
    await this.client.postResponse(invocation, body).catch(apiFailure);
  }

  private async invokeStreaming(invocation: Invocation): Promise<void> {
    const stream = new ResponseStream((headers) => this.client.streamingRequest(invocation, headers), this.metadata.highWaterMark);
    try {
      const result = this.handler(JSON.parse(invocation.body), stream, asyncContext(invocation));
      if (!isPromiseLike(result)) throw new Error('Streaming does not support non-async handlers.');
      if ((await result) !== undefined) console.warn('Streaming handlers ignore return values.');
      if (!stream.writableEnded) throw new Error('Response stream is not finished.');
      await finished(stream);
    } catch (error) {
      logError('Invoke Error', error);
      await stream.fail(error);
    }
    await stream.apiReply;
  }
}
