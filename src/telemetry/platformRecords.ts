import type { Config } from '../config';
import type { Timeline } from '../invoke/invocation';
import { statusFields, type InitStartRecord, type Phase, type ReportRecord, type RuntimeDoneRecord, type Span, type Status, type TraceContext } from './events';

/**
 * Pure functions from an invocation's timeline (and what the invoke phase learnt) to the platform records every log
 * line and telemetry consumer reads. Durations are computed here and nowhere else.
 */

/** Read once: `performance.timeOrigin` is a getter that calls into Node on every read. */
const TIME_ORIGIN = performance.timeOrigin;
const toIso = (performanceTime: number): string => new Date(TIME_ORIGIN + performanceTime).toISOString();
export const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;
/** Billed duration is whole milliseconds, rounded up (computed on the µs-rounded value so 2.000 ms bills 2). */
export const billedMs = (ms: number): number => Math.ceil(round3(ms));
const between = (from: number, to: number): number => round3(Math.max(0, to - from));

const PARENT_SPAN = /Parent=([0-9a-f]{16})/;

/** The X-Ray context telemetry records carry, from the trace header the invocation came with. */
export function traceContext(traceId: string): TraceContext | undefined {
  if (!traceId) return undefined;
  const parent = PARENT_SPAN.exec(traceId)?.[1];
  return parent ? { spanId: parent, type: 'X-Amzn-Trace-Id', value: traceId } : { type: 'X-Amzn-Trace-Id', value: traceId };
}

export function initStartRecord(config: Config, phase: Phase, instanceId: string, managedRuntime: boolean): InitStartRecord {
  return {
    initializationType: config.initializationType,
    phase,
    // The built-in Node.js runtime reports itself like a managed one unless a version was configured.
    runtimeVersion: managedRuntime && !config.runtimeVersionSet ? `nodejs:${process.versions.node.split('.')[0]}.emulated` : config.runtimeVersion,
    runtimeVersionArn: config.runtimeVersionArn,
    functionName: config.functionName,
    functionVersion: config.functionVersion,
    instanceId,
    instanceMaxMemory: config.memorySizeMb,
  };
}

export interface InvocationSummary {
  requestId: string;
  timeline: Timeline;
  status: Status;
  errorType?: string;
  producedBytes: number;
  tracing?: TraceContext;
}

/** `platform.runtimeDone`: from the delivery to the runtime's next /next, with the response spans when it answered. */
export function runtimeDoneRecord(s: InvocationSummary): RuntimeDoneRecord {
  const t = s.timeline;
  const delivered = t.delivered ?? t.started ?? t.received;
  const done = t.runtimeDone ?? performance.now();
  const spans: Span[] = [];
  if (t.responseStarted !== undefined && t.responseEnded !== undefined && t.delivered !== undefined) {
    spans.push({ name: 'responseLatency', start: toIso(delivered), durationMs: between(delivered, t.responseStarted) });
    spans.push({ name: 'responseDuration', start: toIso(t.responseStarted), durationMs: between(t.responseStarted, t.responseEnded) });
    spans.push({ name: 'runtimeOverhead', start: toIso(t.responseEnded), durationMs: between(t.responseEnded, done) });
  }
  return {
    requestId: s.requestId,
    ...statusFields(s.status, s.errorType),
    metrics: { durationMs: between(delivered, done), producedBytes: s.producedBytes },
    spans,
    ...(s.tracing ? { tracing: s.tracing } : {}),
  };
}

export interface ReportInputs extends InvocationSummary {
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** The Init that ran for this invocation (a cold start's, reported once); absent after a suppressed init. */
  initDurationMs?: number;
  /** A suppressed init ran inside the invoke phase, so Duration counts from the phase's start. */
  suppressedInit: boolean;
}

/** `platform.report`: Duration from delivery (or from the phase's start after a suppressed init) to the phase's end. */
export function reportRecord(r: ReportInputs): ReportRecord {
  const t = r.timeline;
  const started = t.started ?? t.received;
  const from = r.suppressedInit ? started : t.delivered ?? started;
  const durationMs = Math.max(0, (t.ended ?? performance.now()) - from);
  const spans: Span[] = t.extensionsDone === undefined || t.runtimeDone === undefined ? [] : [{
    name: 'extensionOverhead', start: toIso(t.runtimeDone), durationMs: between(t.runtimeDone, t.extensionsDone),
  }];
  return {
    requestId: r.requestId,
    ...statusFields(r.status, r.errorType),
    metrics: {
      durationMs: round3(durationMs),
      billedDurationMs: billedMs(durationMs + (r.initDurationMs ?? 0)),
      memorySizeMB: r.memorySizeMb,
      maxMemoryUsedMB: r.maxMemoryUsedMb,
      ...(r.initDurationMs !== undefined ? { initDurationMs: round3(r.initDurationMs) } : {}),
    },
    ...(spans.length > 0 ? { spans } : {}),
    ...(r.tracing ? { tracing: r.tracing } : {}),
  };
}
