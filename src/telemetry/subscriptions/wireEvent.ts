import type { PlatformEvent } from '../events';
import type { EventCategory } from './subscriptionRequest';

/** One element of a delivered batch: `{"time","type","record"}` (docs/lambda-behaviour.md#telemetry-api). */
export interface WireEvent {
  time: string;
  type: string;
  record: unknown;
}

/** Which subscription `types` entry lets an event through. */
export function categoryOf(event: PlatformEvent): EventCategory {
  if (event.type === 'function') return 'function';
  if (event.type === 'extension') return 'extension';
  return 'platform';
}

/** Key order is fixed so sizes are the same wherever an event is serialised. */
export function serializeWireEvent(event: WireEvent): string {
  return JSON.stringify({ time: event.time, type: event.type, record: event.record });
}
