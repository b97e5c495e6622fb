import { EventStream } from '../../../../src/telemetry/events';
import { TelemetryHub, type TelemetryHubOptions } from '../../../../src/telemetry/subscriptions/hub';

export interface Harness {
  events: EventStream;
  hub: TelemetryHub;
  logs: Array<{ level: string; message: string }>;
  /** Resolves once the hub has logged a message matching `pattern` (a way to know it reached a decision). */
  logged: (pattern: RegExp) => Promise<void>;
}

/** A hub on a real EventStream; its diagnostics are collected instead of printed. */
export function startHub(options: Partial<TelemetryHubOptions> = {}): Harness {
  const events = new EventStream();
  const logs: Harness['logs'] = [];
  let waiting: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const hub = new TelemetryHub(events, {
    logFormat: 'Text',
    log: (level, message) => {
      logs.push({ level, message });
      const ready = waiting.filter((w) => w.pattern.test(message));
      waiting = waiting.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve();
    },
    ...options,
  });
  const logged = (pattern: RegExp): Promise<void> =>
    logs.some((l) => pattern.test(l.message)) ? Promise.resolve() : new Promise((resolve) => waiting.push({ pattern, resolve }));
  return { events, hub, logs, logged };
}

export const httpDestination = (port: number, path = '/telemetry') => ({ protocol: 'HTTP', URI: `http://sandbox.localdomain:${port}${path}` });

export function telemetryBody(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: '2022-12-13',
    types: ['platform', 'function', 'extension'],
    buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 },
    destination: httpDestination(port),
    ...extra,
  };
}

/** The events of one cold invocation, as the environment emits them. */
export function emitInit(events: EventStream): void {
  events.emit('platform.initStart', {
    initializationType: 'on-demand', phase: 'init', runtimeVersion: 'nodejs:20.emulated', runtimeVersionArn: 'arn:aws:lambda:us-east-1::runtime:emulated',
    functionName: 'fn', functionVersion: '$LATEST', instanceId: 'instance-1', instanceMaxMemory: 128,
  });
}

export function emitInitDone(events: EventStream): void {
  events.emit('platform.initRuntimeDone', { initializationType: 'on-demand', phase: 'init', status: 'success' });
  events.emit('platform.extension', { name: 'ext', state: 'Ready', events: ['INVOKE', 'SHUTDOWN'] });
  events.emit('platform.initReport', { initializationType: 'on-demand', phase: 'init', status: 'success', metrics: { durationMs: 12.5 } });
}

export const TRACE = { spanId: '54565fb41ac79632', type: 'X-Amzn-Trace-Id' as const, value: 'Root=1-62e900b2-710d76f009d6e7785905449a;Parent=0efbd19962d95b05;Sampled=1' };

export function emitInvoke(events: EventStream, requestId: string, status: 'success' | 'error' = 'success'): void {
  events.emit('platform.start', { requestId, version: '$LATEST', tracing: TRACE });
  events.emit('function', `2024-05-20T16:29:45.009Z\t${requestId}\tINFO\thello\n`);
  const errorType = status === 'error' ? { errorType: 'Runtime.ExitError' } : {};
  events.emit('platform.runtimeDone', {
    requestId, status, ...errorType, metrics: { durationMs: 2.5, producedBytes: 7 },
    spans: [{ name: 'responseLatency', start: '2024-05-20T16:29:45.008Z', durationMs: 1 }], tracing: TRACE,
  });
  events.emit('platform.end', { requestId });
  events.emit('platform.report', {
    requestId, status, ...errorType,
    metrics: { durationMs: 3, billedDurationMs: 3, memorySizeMB: 128, maxMemoryUsedMB: 40, initDurationMs: 12.5 },
    spans: [{ name: 'extensionOverhead', start: '2024-05-20T16:29:45.011Z', durationMs: 0.5 }], tracing: TRACE,
  });
}
