/** Shapes follow the Telemetry API schema (docs/lambda-behaviour.md#telemetry-api); one object per platform event, emitted exactly once. */
export type Status = 'success' | 'error' | 'failure' | 'timeout';
export type Phase = 'init' | 'invoke';

export interface Span {
  name: string;
  start: string;
  durationMs: number;
}

export interface TraceContext {
  spanId?: string;
  type: 'X-Amzn-Trace-Id';
  value: string;
}

export interface InitStartRecord {
  initializationType: string;
  phase: Phase;
  runtimeVersion: string;
  runtimeVersionArn: string;
  functionName: string;
  functionVersion: string;
  instanceId: string;
  instanceMaxMemory: number;
}

export interface InitDoneRecord {
  initializationType: string;
  phase: Phase;
  status: Status;
  errorType?: string;
}

export interface InitReportRecord extends InitDoneRecord {
  metrics: { durationMs: number };
}

export interface StartRecord {
  requestId: string;
  version: string;
  /** The caller's `X-Amz-Tenant-Id` (docs/lambda-behaviour.md#tenant-isolation). */
  tenantId?: string;
  tracing?: TraceContext;
}

export interface RuntimeDoneRecord {
  requestId: string;
  status: Status;
  errorType?: string;
  metrics: { durationMs: number; producedBytes: number };
  spans: Span[];
  tracing?: TraceContext;
}

export interface ReportMetrics {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  initDurationMs?: number;
}

export interface ReportRecord {
  requestId: string;
  status: Status;
  errorType?: string;
  metrics: ReportMetrics;
  spans?: Span[];
  tracing?: TraceContext;
}

export interface ExtensionRecord {
  name: string;
  state: string;
  events: string[];
  errorType?: string;
}

export interface SubscriptionRecord {
  name: string;
  state: 'Subscribed';
  types: string[];
}

export interface LogsDroppedRecord {
  droppedBytes: number;
  droppedRecords: number;
  reason: string;
}

export type PlatformEvent =
  | { type: 'platform.initStart'; time: string; record: InitStartRecord }
  | { type: 'platform.initRuntimeDone'; time: string; record: InitDoneRecord }
  | { type: 'platform.initReport'; time: string; record: InitReportRecord }
  | { type: 'platform.start'; time: string; record: StartRecord }
  | { type: 'platform.runtimeDone'; time: string; record: RuntimeDoneRecord }
  /** Not a Telemetry API type: the Logs API's `platform.end`, which is also what prints the END line. */
  | { type: 'platform.end'; time: string; record: { requestId: string } }
  | { type: 'platform.report'; time: string; record: ReportRecord }
  | { type: 'platform.extension'; time: string; record: ExtensionRecord }
  | { type: 'platform.telemetrySubscription'; time: string; record: SubscriptionRecord }
  | { type: 'platform.logsSubscription'; time: string; record: SubscriptionRecord }
  | { type: 'platform.logsDropped'; time: string; record: LogsDroppedRecord }
  | { type: 'function'; time: string; record: string }
  | { type: 'extension'; time: string; record: string; name: string };

export type PlatformEventType = PlatformEvent['type'];
type EventOf<T extends PlatformEventType> = Extract<PlatformEvent, { type: T }>;

export type EventListener = (event: PlatformEvent) => void;
/** The event types a subscriber uses, asked at each emit (what it uses may change, e.g. when telemetry subscribes). */
export type EventInterest = (type: PlatformEventType) => boolean;

interface Subscription {
  listener: EventListener;
  /** Undefined: every type. */
  wants: EventInterest | undefined;
}

/** The one stream of platform events: log lines, the Tail buffer and telemetry subscribers all consume it. */
export class EventStream {
  /** Replaced on every change, never changed in place: an emit in progress keeps the list it started with. */
  private subscriptions: readonly Subscription[] = [];

  /**
   * Whether any subscriber uses events of this type now. An event no one uses is not sent: its record need not
   * be built (e.g. platform.runtimeDone, for telemetry subscribers only, when there are none).
   */
  wants(type: PlatformEventType): boolean {
    for (const { wants } of this.subscriptions) if (wants === undefined || wants(type)) return true;
    return false;
  }

  emit<T extends PlatformEventType>(type: T, record: EventOf<T>['record'], extra?: Omit<EventOf<T>, 'type' | 'time' | 'record'>): void {
    if (!this.wants(type)) return;
    const event = { ...extra, type, time: new Date().toISOString(), record } as PlatformEvent;
    for (const { listener } of this.subscriptions) listener(event);
  }

  /** Every event goes to `listener`, unless no subscriber `wants` its type. */
  subscribe(listener: EventListener, wants?: EventInterest): () => void {
    const subscription: Subscription = { listener, wants };
    this.subscriptions = [...this.subscriptions, subscription];
    return () => {
      this.subscriptions = this.subscriptions.filter((s) => s !== subscription);
    };
  }
}

/** `status`, plus `errorType` where the schema has one: for `error` and `failure`, not for `timeout` or `success`. */
export function statusFields(status: Status, errorType: string | undefined): { status: Status; errorType?: string } {
  return status === 'error' || status === 'failure' ? { status, ...(errorType ? { errorType } : {}) } : { status };
}
