import type { PlatformEvent, PlatformEventType, ReportRecord } from './events';

/** Turns platform events into the CloudWatch-style text the function's log stream shows (docs/lambda-behaviour.md#log-lines). */
export type LogFormat = 'Text' | 'JSON';

const ms = (value: number): string => `${value.toFixed(2)} ms`;

function statusFields(status: string, errorType?: string): string {
  if (status === 'success') return '';
  return `Status: ${status}` + (errorType ? `\tError Type: ${errorType}` : '');
}

function reportLine(r: ReportRecord): string {
  const m = r.metrics;
  let line = `REPORT RequestId: ${r.requestId}\tDuration: ${ms(m.durationMs)}\tBilled Duration: ${m.billedDurationMs} ms\t` +
    `Memory Size: ${m.memorySizeMB} MB\tMax Memory Used: ${m.maxMemoryUsedMB} MB\t`;
  if (m.initDurationMs !== undefined) line += `Init Duration: ${ms(m.initDurationMs)}\t`;
  line += statusFields(r.status, r.errorType);
  const trace = r.tracing?.value;
  if (trace && trace.includes('Sampled=1')) {
    const root = /Root=([^;]+)/.exec(trace)?.[1] ?? '';
    line += `\nXRAY TraceId: ${root}\tSegmentId: ${r.tracing?.spanId ?? ''}\tSampled: true\t`;
  }
  return line;
}

function textLine(event: PlatformEvent): string | undefined {
  switch (event.type) {
    case 'platform.initStart':
      if (event.record.phase !== 'init') return undefined;
      return `INIT_START Runtime Version: ${event.record.runtimeVersion}\tRuntime Version ARN: ${event.record.runtimeVersionArn}`;
    case 'platform.initReport':
      if (event.record.status === 'success') return undefined;
      return `INIT_REPORT Init Duration: ${ms(event.record.metrics.durationMs)}\tPhase: ${event.record.phase}\t` +
        statusFields(event.record.status, event.record.errorType);
    case 'platform.start':
      return `START RequestId: ${event.record.requestId} Version: ${event.record.version}`;
    case 'platform.end':
      return `END RequestId: ${event.record.requestId}`;
    case 'platform.report':
      return reportLine(event.record);
    default:
      return undefined;
  }
}

const JSON_PLATFORM_TYPES: ReadonlySet<PlatformEventType> = new Set<PlatformEventType>([
  'platform.initStart', 'platform.initRuntimeDone', 'platform.initReport',
  'platform.start', 'platform.runtimeDone', 'platform.report',
]);

/** The platform events textLine() may print. */
const TEXT_PLATFORM_TYPES: ReadonlySet<PlatformEventType> = new Set<PlatformEventType>([
  'platform.initStart', 'platform.initReport', 'platform.start', 'platform.end', 'platform.report',
]);

/** Whether events of this type can add text to the log stream (logText may still find none for one event). */
export function mayLog(type: PlatformEventType, format: LogFormat): boolean {
  if (type === 'function' || type === 'extension') return true;
  return (format === 'JSON' ? JSON_PLATFORM_TYPES : TEXT_PLATFORM_TYPES).has(type);
}

/** The text this event adds to the log stream, newline-terminated, or undefined when it adds none. */
export function logText(event: PlatformEvent, format: LogFormat): string | undefined {
  if (event.type === 'function' || event.type === 'extension') {
    return event.record.endsWith('\n') ? event.record : event.record + '\n';
  }
  if (format === 'JSON') {
    return JSON_PLATFORM_TYPES.has(event.type) ? JSON.stringify(event) + '\n' : undefined;
  }
  const line = textLine(event);
  return line === undefined ? undefined : line + '\n';
}
