import type { LogFormat } from '../logLines';
import type { PlatformEvent } from '../events';
import { logRecord } from './logRecord';
import type { WireEvent } from './wireEvent';

/** Stream events that are not Telemetry API types: the Logs API's own records. */
const LOGS_API_ONLY = new Set(['platform.end', 'platform.logsSubscription']);
/** From this schema on, JSON log lines may be delivered as objects. */
const OBJECT_RECORDS_SINCE = '2022-12-13';

/** What a Telemetry API subscriber receives for an event (docs/lambda-behaviour.md#telemetry-api), or undefined when it receives nothing. */
export function telemetryWireEvent(event: PlatformEvent, schemaVersion: string, logFormat: LogFormat): WireEvent | undefined {
  if (event.type === 'function' || event.type === 'extension') {
    const objectsAllowed = logFormat === 'JSON' && schemaVersion >= OBJECT_RECORDS_SINCE;
    return { time: event.time, type: event.type, record: logRecord(event.record, objectsAllowed) };
  }
  if (LOGS_API_ONLY.has(event.type)) return undefined;
  return { time: event.time, type: event.type, record: event.record };
}
