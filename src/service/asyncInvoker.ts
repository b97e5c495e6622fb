import type { VersionConfig } from './model';
import type { ForwardRequest } from './scheduler/forward';
import type { Scheduler } from './scheduler/scheduler';

/** Lambda's defaults for asynchronous invocation (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21_600;

export interface AsyncEvent {
  requestId: string;
  functionName: string;
  config: VersionConfig;
  request: ForwardRequest;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  enqueuedAt: number;
}

/**
 * Runs `Event` invocations after their 202: each waits for the function's concurrency (never throttled), and a
 * function error is retried twice (or MaximumRetryAttempts times), the first retry after `retryDelaysMs[0]`, the
 * second after `retryDelaysMs[1]` — Lambda waits about one and two minutes. An event older than
 * MaximumEventAgeInSeconds is dropped.
 */
export class AsyncInvoker {
  private readonly pending = new Map<string, Set<AsyncEvent>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly retryDelaysMs: readonly number[],
    private readonly log: (message: string) => void,
  ) {}

  enqueue(event: AsyncEvent): void {
    let events = this.pending.get(event.functionName);
    if (!events) this.pending.set(event.functionName, (events = new Set()));
    events.add(event);
    void this.attempt(event, 0);
  }

  /** Events waiting or running for a function. */
  queued(functionName: string): number {
    return this.pending.get(functionName)?.size ?? 0;
  }

  /** The function was deleted: its events are dropped. */
  forget(functionName: string): void {
    this.pending.delete(functionName);
  }

  shutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending.clear();
  }

  private async attempt(event: AsyncEvent, attempt: number): Promise<void> {
    if (!this.pending.get(event.functionName)?.has(event)) return;
    const ageSeconds = (Date.now() - event.enqueuedAt) / 1000;
    if (ageSeconds > event.maximumEventAgeSeconds) {
      this.log(`${event.functionName}: event ${event.requestId} dropped: older than MaximumEventAgeInSeconds (${event.maximumEventAgeSeconds})`);
      return this.done(event);
    }
    let failed: string | undefined;
    try {
      const outcome = await this.scheduler.invokeWhenFree(event.functionName, event.config, event.request, async (response) => {
        response.resume();
        await new Promise((resolve) => response.on('end', resolve).on('error', resolve));
      });
      if (outcome.functionError) failed = 'function error';
    } catch (error) {
      failed = (error as Error).message;
    }
    if (failed === undefined) return this.done(event);
    if (attempt >= event.maximumRetryAttempts) {
      this.log(`${event.functionName}: event ${event.requestId} failed after ${attempt + 1} attempts (${failed}); dropped`);
      return this.done(event);
    }
    const delay = this.retryDelaysMs[Math.min(attempt, this.retryDelaysMs.length - 1)];
    this.log(`${event.functionName}: event ${event.requestId} attempt ${attempt + 1} failed (${failed}); retrying in ${delay} ms`);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(event, attempt + 1);
    }, delay);
    this.timers.add(timer);
  }

  private done(event: AsyncEvent): void {
    this.pending.get(event.functionName)?.delete(event);
  }
}
