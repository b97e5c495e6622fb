import { serializeWireEvent } from './wireEvent';

/** Lambda's wording for records lost on the way to a subscriber (RIE uses the same sentence). */
export const LOGS_DROPPED_REASON = 'Some logs were dropped because the downstream consumer is slower than the logs production rate';

export interface Loss {
  records: number;
  bytes: number;
}

/** A serialised `platform.logsDropped` event reporting `loss`, stamped now. */
export function logsDroppedJson(loss: Loss): string {
  return serializeWireEvent({
    time: new Date().toISOString(),
    type: 'platform.logsDropped',
    record: { droppedBytes: loss.bytes, droppedRecords: loss.records, reason: LOGS_DROPPED_REASON },
  });
}
