import type { PlatformEvent } from '../events';
import type { WireEvent } from './wireEvent';

/** The schema version of the Logs API that adds `platform.runtimeDone`. */
const RUNTIME_DONE_SCHEMA = '2021-03-18';
/** Records the Logs API passes through in their Telemetry API shape (docs/lambda-behaviour.md#logs-api). */
const UNCHANGED = new Set(['platform.extension', 'platform.logsSubscription', 'platform.logsDropped']);

/**
 * What a Logs API subscriber receives for an event (docs/lambda-behaviour.md#logs-api), or undefined: no init events, spans or tracing;
 * start/end carry only the request id, report only its metrics; log lines are always strings.
 */
export function logsWireEvent(event: PlatformEvent, schemaVersion: string): WireEvent | undefined {
  const { time, type } = event;
  switch (event.type) {
    case 'platform.start':
    case 'platform.end':
      return { time, type, record: { requestId: event.record.requestId } };
    case 'platform.report':
      return { time, type, record: { requestId: event.record.requestId, metrics: event.record.metrics } };
    case 'platform.runtimeDone': {
      if (schemaVersion !== RUNTIME_DONE_SCHEMA) return undefined;
      // The Logs API knows success, failure and timeout; a platform-detected error is a failure there.
      const status = event.record.status === 'error' ? 'failure' : event.record.status;
      return { time, type, record: { requestId: event.record.requestId, status } };
    }
    case 'function':
    case 'extension':
      return { time, type, record: event.record };
    default:
      return UNCHANGED.has(type) ? { time, type, record: event.record } : undefined;
  }
}
