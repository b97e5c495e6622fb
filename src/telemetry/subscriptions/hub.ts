import type { EventStream, PlatformEvent } from '../events';
import type { LogFormat } from '../logLines';
import { describeDestination, type Destination } from './destination';
import { DEFAULT_DELIVERY_TUNING, type DeliveryTuning } from './deliveryTuning';
import { DEFAULT_BACKLOG_LIMITS, InitBacklog, type BacklogLimits } from './initBacklog';
import { logsWireEvent } from './logsShape';
import { otherApiInUse, subscribed, subscriptionClosed, validationError, type SubscribeResult } from './responses';
import { Subscriber, type Log } from './subscriber';
import { parseSubscriptionRequest, sameSubscription, type SubscriptionApi, type SubscriptionRequest } from './subscriptionRequest';
import { telemetryWireEvent } from './telemetryShape';
import { HttpTransport } from './transports/httpTransport';
import { TcpTransport } from './transports/tcpTransport';
import type { Transport } from './transports/transport';

export type { SubscribeResult } from './responses';

/** Lambda reserves the port of its own APIs (docs/lambda-behaviour.md#telemetry-api). */
const LAMBDA_API_PORT = 9001;

export interface TelemetryHubOptions {
  log: Log;
  /** Where `sandbox.localdomain` / `sandbox` resolve for delivery: 127.0.0.1 by default (no DNS involved). */
  destinationHost?: string;
  /** The function's log format (AWS_LAMBDA_LOG_FORMAT): JSON lets log lines go out as objects (docs/lambda-behaviour.md#telemetry-api). */
  logFormat: LogFormat;
  /** Ports a destination may not use besides 9001, e.g. where this init's APIs really listen. */
  reservedPorts?: readonly number[];
  tuning?: Partial<DeliveryTuning>;
  backlogLimits?: Partial<BacklogLimits>;
}

/**
 * The subscriber side of the Telemetry API and the Logs API: validates subscriptions, and delivers every event of the
 * one event stream to each subscriber in the shape and batches it asked for.
 */
export class TelemetryHub {
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly paused = new Set<string>();
  private backlog: InitBacklog | undefined;
  private readonly reservedPorts: readonly number[];
  private readonly tuning: DeliveryTuning;
  private readonly unsubscribe: () => void;
  private open = true;

  constructor(private readonly events: EventStream, private readonly options: TelemetryHubOptions) {
    this.reservedPorts = [LAMBDA_API_PORT, ...(options.reservedPorts ?? [])];
    this.tuning = { ...DEFAULT_DELIVERY_TUNING, ...options.tuning };
    this.backlog = this.newBacklog();
    this.unsubscribe = events.subscribe((event) => this.onEvent(event), () => this.backlog !== undefined || this.subscribers.size > 0);
  }

  /** `PUT /2022-07-01/telemetry` from extension `extensionName`; `body` is the parsed JSON, or the parse Error. */
  subscribeTelemetry(extensionName: string, body: unknown): SubscribeResult {
    return this.subscribe('telemetry', extensionName, body);
  }

  /** `PUT /2020-08-15/logs`. */
  subscribeLogs(extensionName: string, body: unknown): SubscribeResult {
    return this.subscribe('logs', extensionName, body);
  }

  /** Init is over: later subscriptions get 403 SubscriptionClosed, and the init backlog is let go. */
  closeSubscriptions(): void {
    this.open = false;
    this.backlog = undefined;
  }

  /**
   * A new init begins (after a reset the extensions are started again and subscribe again): every subscription is
   * dropped, subscriptions open, and the backlog starts over. Flush first to deliver what is buffered.
   */
  reset(): void {
    for (const subscriber of this.subscribers.values()) subscriber.close();
    this.subscribers.clear();
    this.paused.clear();
    this.open = true;
    this.backlog = this.newBacklog();
  }

  /** The extension is frozen: its deliveries are held (it keeps buffering) until resume(). */
  pause(extensionName: string): void {
    this.paused.add(extensionName);
    this.subscribers.get(extensionName)?.pause();
  }

  resume(extensionName: string): void {
    this.paused.delete(extensionName);
    this.subscribers.get(extensionName)?.resume();
  }

  /**
   * Sends everything buffered now (before SHUTDOWN, and when the runtime's output closes). Resolves when it is
   * delivered or given up, or after `timeoutMs` at the latest; paused subscribers are not waited for. Never rejects.
   */
  async flush(timeoutMs: number): Promise<void> {
    const subscribers = [...this.subscribers.values()];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const flushed = Promise.all(subscribers.map((subscriber) => subscriber.flush())).then(() => false as const);
    const late = await Promise.race([flushed, timedOut]);
    clearTimeout(timer);
    if (!late) return;
    const behind = subscribers.filter((subscriber) => subscriber.hasPending()).length;
    for (const subscriber of subscribers) subscriber.cancelFlush();
    this.options.log('warn', `Telemetry flush stopped after ${timeoutMs} ms with ${behind} subscriber(s) still holding records`);
  }

  /**
   * Waits until no delivery is out to any subscriber, for at most `timeoutMs`: the sandbox is about to freeze, and a
   * batch an extension is still reading would otherwise stay half-delivered until the next thaw. Never rejects.
   */
  async quiesce(timeoutMs: number): Promise<void> {
    if (this.subscribers.size === 0) return; // the usual case, before every freeze: no timer to set and clear
    const deadline = performance.now() + timeoutMs;
    let subscribers = [...this.subscribers.values()];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    // A delivered batch may be followed at once by the next one: wait until a round finds nothing out.
    while (subscribers.length > 0 && performance.now() < deadline) {
      const waits = subscribers.map((subscriber) => subscriber.whenQuiet());
      await Promise.race([Promise.all(waits), timedOut]);
      subscribers = subscribers.filter((subscriber) => subscriber.isSending());
    }
    clearTimeout(timer);
  }

  /** Stops listening, timers and connections; undelivered records are dropped. */
  close(): void {
    this.unsubscribe();
    this.open = false;
    this.backlog = undefined;
    for (const subscriber of this.subscribers.values()) subscriber.close();
    this.subscribers.clear();
  }

  private subscribe(api: SubscriptionApi, extensionName: string, body: unknown): SubscribeResult {
    if (!this.open) return subscriptionClosed(api);
    const parsed = parseSubscriptionRequest(api, body, this.reservedPorts);
    if (!parsed.ok) return validationError(api, parsed.message);
    const request = parsed.request;
    const existing = this.subscribers.get(extensionName);
    if (existing && existing.request.api !== api) return otherApiInUse(api, extensionName);
    // Repeating a subscription changes nothing (documented for the Logs API); a different one replaces it.
    if (existing && sameSubscription(existing.request, request)) return subscribed();
    existing?.close();

    const subscriber = new Subscriber({
      extensionName,
      request,
      transport: this.transportFor(request.destination),
      shape: api === 'telemetry'
        ? (event) => telemetryWireEvent(event, request.schemaVersion, this.options.logFormat)
        : (event) => logsWireEvent(event, request.schemaVersion),
      tuning: this.tuning,
      log: this.options.log,
    });
    this.subscribers.set(extensionName, subscriber);
    if (this.paused.has(extensionName)) subscriber.pause();
    this.backlog?.replayInto(subscriber);
    this.options.log('info', describeSubscription(extensionName, request, existing !== undefined));
    const record = { name: extensionName, state: 'Subscribed' as const, types: [...request.types] };
    if (api === 'telemetry') this.events.emit('platform.telemetrySubscription', record);
    else this.events.emit('platform.logsSubscription', record);
    return subscribed();
  }

  private onEvent(event: PlatformEvent): void {
    // Runs inside EventStream.emit: nothing here may throw into whoever emitted.
    try {
      this.backlog?.add(event);
    } catch (error) {
      this.options.log('error', `Telemetry backlog could not keep ${event.type}: ${String(error)}`);
    }
    for (const [name, subscriber] of this.subscribers) {
      try {
        subscriber.offer(event);
      } catch (error) {
        this.options.log('error', `Telemetry subscriber ${name} could not take ${event.type}: ${String(error)}`);
      }
    }
  }

  private transportFor(destination: Destination): Transport {
    const connectHost = this.options.destinationHost ?? '127.0.0.1';
    if (destination.protocol === 'TCP') return new TcpTransport(connectHost, destination.port);
    const hostHeader = destination.port === 80 ? destination.hostname : `${destination.hostname}:${destination.port}`;
    return new HttpTransport({ connectHost, port: destination.port, path: destination.path, hostHeader });
  }

  private newBacklog(): InitBacklog {
    return new InitBacklog({ ...DEFAULT_BACKLOG_LIMITS, ...this.options.backlogLimits });
  }
}

function describeSubscription(extensionName: string, request: SubscriptionRequest, replaced: boolean): string {
  const { maxItems, maxBytes, timeoutMs } = request.buffering;
  const api = request.api === 'telemetry' ? 'Telemetry API' : 'Logs API';
  return `${api} subscription ${replaced ? 'replaced' : 'added'} for extension ${extensionName}: ` +
    `schema ${request.schemaVersion}, types ${request.types.join(',')}, ${describeDestination(request.destination)}, ` +
    `buffering maxItems=${maxItems} maxBytes=${maxBytes} timeoutMs=${timeoutMs}`;
}
