import type { PlatformEvent } from '../events';
import { describeDestination } from './destination';
import type { DeliveryTuning } from './deliveryTuning';
import { DeliveryBuffer, type Batch, type BufferedEvent } from './deliveryBuffer';
import type { Loss } from './logsDropped';
import type { EventCategory, SubscriptionRequest } from './subscriptionRequest';
import type { Transport } from './transports/transport';
import { categoryOf, serializeWireEvent, type WireEvent } from './wireEvent';

export type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface SubscriberOptions {
  extensionName: string;
  request: SubscriptionRequest;
  transport: Transport;
  /** The record this subscription receives for an event, or undefined. */
  shape: (event: PlatformEvent) => WireEvent | undefined;
  tuning: DeliveryTuning;
  log: Log;
}

interface InFlight {
  batch: Batch;
  attempt: number;
  /** A request is out (false while waiting to retry). */
  active: boolean;
  controller?: AbortController;
  timeout?: NodeJS.Timeout;
}

interface FlushWaiter {
  /** Resolved once this event is delivered or given up: everything buffered before it is then settled too. */
  mark: BufferedEvent;
  resolve: () => void;
}

/**
 * One subscription's delivery: takes events synchronously into a bounded buffer, sends batches asynchronously, one at
 * a time, with bounded retries. Never blocks or throws into the event stream.
 */
export class Subscriber {
  readonly request: SubscriptionRequest;
  private readonly buffer: DeliveryBuffer;
  private readonly types: ReadonlySet<EventCategory>;
  private inFlight: InFlight | undefined;
  private batchTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: FlushWaiter[] = [];
  /** Told when no request is out any more (see whenQuiet). */
  private quietWaiters: Array<() => void> = [];
  private paused = false;
  private closed = false;
  private dropping = false;
  private failing = false;

  constructor(private readonly options: SubscriberOptions) {
    this.request = options.request;
    this.buffer = new DeliveryBuffer(options.request.buffering);
    this.types = new Set(options.request.types);
  }

  /** Takes an event if the subscription wants it; sending happens later. */
  offer(event: PlatformEvent): void {
    if (this.closed || !this.types.has(categoryOf(event))) return;
    const wire = this.options.shape(event);
    if (wire === undefined) return;
    const accepted = this.buffer.add(serializeWireEvent(wire));
    if (!accepted && !this.dropping) {
      this.dropping = true;
      this.options.log('warn', `Telemetry subscriber ${this.who()} is not keeping up: dropping records until it does`);
    } else if (accepted) {
      this.dropping = false;
    }
    this.pump();
  }

  /** Records of a wanted category that were lost before they could be offered. */
  noteMissed(category: EventCategory, loss: Loss): void {
    if (!this.closed && this.types.has(category)) this.buffer.noteLoss(loss);
  }

  pause(): void {
    this.paused = true;
    this.clearBatchTimer();
    // The request waits for the thaw; frozen time must not count against it.
    if (this.inFlight?.timeout) {
      clearTimeout(this.inFlight.timeout);
      this.inFlight.timeout = undefined;
    }
  }

  /**
   * The extension is thawed: what was held for it goes out now, without waiting out its buffering timeout again. The
   * thaw may be short (an invoke that ends within the timeout), and the next freeze waits only for deliveries out.
   */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const flight = this.inFlight;
    if (flight?.active) this.armRequestTimeout(flight);
    else if (flight && this.retryTimer === undefined) this.attempt(flight);
    void this.flush();
  }

  /** Sends everything buffered now; resolves when it is delivered or given up. A paused subscriber is not waited for. */
  flush(): Promise<void> {
    if (this.closed || this.paused) return Promise.resolve();
    this.buffer.closeGap();
    const mark = this.buffer.newest() ?? this.inFlight?.batch.events[this.inFlight.batch.events.length - 1];
    if (mark === undefined || mark.settled) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ mark, resolve });
      this.pump();
    });
  }

  /**
   * Resolves when no request of this subscription is out: a batch the extension is still reading must be answered
   * before the extension is frozen, or it would sit half-read until the next thaw.
   */
  whenQuiet(): Promise<void> {
    if (!this.isSending()) return Promise.resolve();
    return new Promise((resolve) => this.quietWaiters.push(resolve));
  }

  /** A request is out right now. */
  isSending(): boolean {
    return !this.closed && this.inFlight?.active === true;
  }

  /** Gives up waiting (the flush ran out of time): back to normal batching. */
  cancelFlush(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  /** Undelivered records are still buffered or being sent (for the flush warning). */
  hasPending(): boolean {
    return this.inFlight !== undefined || this.buffer.length > 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearBatchTimer();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.inFlight?.timeout) clearTimeout(this.inFlight.timeout);
    this.inFlight?.controller?.abort(new Error('telemetry delivery closed'));
    this.inFlight = undefined;
    this.options.transport.close();
    this.cancelFlush();
    this.tellQuiet();
  }

  /** Starts a batch when one is due, or sets the timer for when it will be. */
  private pump(): void {
    if (this.closed || this.paused || this.inFlight || this.buffer.length === 0) return;
    const flushing = this.waiters.length > 0;
    if (!flushing && !this.buffer.isFull()) {
      const oldest = this.buffer.oldestArrival();
      if (oldest === undefined) return this.clearBatchTimer();
      const wait = oldest + this.request.buffering.timeoutMs - performance.now();
      if (wait > 0) {
        this.batchTimer ??= setTimeout(() => {
          this.batchTimer = undefined;
          this.pump();
        }, Math.ceil(wait));
        return;
      }
    }
    this.clearBatchTimer();
    const flight: InFlight = { batch: this.buffer.takeBatch(), attempt: 0, active: false };
    this.inFlight = flight;
    this.attempt(flight);
  }

  private attempt(flight: InFlight): void {
    flight.attempt++;
    flight.active = true;
    const controller = new AbortController();
    flight.controller = controller;
    this.armRequestTimeout(flight);
    this.options.transport.send(flight.batch.events.map((event) => event.json), controller.signal).then(
      () => this.delivered(flight),
      (error: unknown) => this.failed(flight, error),
    );
  }

  private armRequestTimeout(flight: InFlight): void {
    if (this.paused) return;
    const { requestTimeoutMs } = this.options.tuning;
    flight.timeout = setTimeout(() => {
      flight.timeout = undefined;
      flight.controller?.abort(new Error(`no answer within ${requestTimeoutMs} ms`));
    }, requestTimeoutMs);
  }

  private delivered(flight: InFlight): void {
    if (this.closed || flight !== this.inFlight) return;
    this.endAttempt(flight);
    if (this.failing) {
      this.failing = false;
      this.options.log('info', `Telemetry subscriber ${this.who()} is receiving again`);
    }
    this.settle(flight.batch);
  }

  private failed(flight: InFlight, error: unknown): void {
    if (this.closed || flight !== this.inFlight) return;
    this.endAttempt(flight);
    const reason = error instanceof Error ? error.message : String(error);
    const { maxAttempts, retryBackoffMs } = this.options.tuning;
    if (flight.attempt < maxAttempts) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (!this.closed && !this.paused) this.attempt(flight);
      }, retryBackoffMs * 2 ** (flight.attempt - 1));
      return;
    }
    const loss = this.buffer.reportLostBatch(flight.batch);
    this.failing = true;
    this.options.log('warn', `Telemetry delivery to ${this.who()} failed ${flight.attempt} times (${reason}): ` +
      `dropped ${loss.records} records (${loss.bytes} bytes); they are reported to it as platform.logsDropped`);
    this.settle(flight.batch);
  }

  private endAttempt(flight: InFlight): void {
    flight.active = false;
    if (flight.timeout) clearTimeout(flight.timeout);
    flight.timeout = undefined;
    this.tellQuiet();
  }

  private tellQuiet(): void {
    for (const resolve of this.quietWaiters.splice(0)) resolve();
  }

  private settle(batch: Batch): void {
    this.inFlight = undefined;
    for (const event of batch.events) event.settled = true;
    const waiting = this.waiters;
    this.waiters = waiting.filter((waiter) => !waiter.mark.settled);
    for (const waiter of waiting) if (waiter.mark.settled) waiter.resolve();
    this.pump();
  }

  private clearBatchTimer(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
  }

  private who(): string {
    return `${this.options.extensionName} (${describeDestination(this.request.destination)})`;
  }
}
