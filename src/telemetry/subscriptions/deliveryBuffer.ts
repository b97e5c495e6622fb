import { logsDroppedJson, type Loss } from './logsDropped';

export interface BufferedEvent {
  json: string;
  bytes: number;
  /** performance.now() when it entered the buffer; a batch is due `timeoutMs` after its oldest event. */
  arrivedAt: number;
  /** Set on a `platform.logsDropped` record made here: the loss it reports (carried over if it is lost in turn). */
  reports?: Loss;
  /** A loss report put back after a failed delivery: it waits for other records rather than retrying on its own. */
  waitsForCompany?: boolean;
  /** Delivered or given up. */
  settled: boolean;
}

export interface Batch {
  events: BufferedEvent[];
  bytes: number;
}

export interface BufferLimits {
  maxItems: number;
  maxBytes: number;
}

/**
 * One subscriber's bounded buffer of serialised events. Holds at most `maxItems` events / about `maxBytes` bytes
 * besides the batch being sent; events beyond that are dropped and counted, and the loss is reported to the
 * subscriber by a `platform.logsDropped` record placed where the gap is.
 */
export class DeliveryBuffer {
  private events: BufferedEvent[] = [];
  private bytes = 0;
  /** Dropped after the last buffered event, not yet reported. */
  private gap: Loss = { records: 0, bytes: 0 };

  constructor(private readonly limits: BufferLimits) {}

  get length(): number {
    return this.events.length;
  }

  isFull(): boolean {
    return this.events.length >= this.limits.maxItems || this.bytes >= this.limits.maxBytes;
  }

  /** Buffers an event; false when the buffer is full and the event was dropped (and counted). */
  add(json: string): boolean {
    const bytes = Buffer.byteLength(json);
    if (this.isFull()) {
      this.noteLoss({ records: 1, bytes });
      return false;
    }
    this.closeGap();
    this.push({ json, bytes, arrivedAt: performance.now(), settled: false });
    return true;
  }

  /** Records lost before they reached the buffer (e.g. an overflowing init backlog): reported at the tail. */
  noteLoss(loss: Loss): void {
    this.gap.records += loss.records;
    this.gap.bytes += loss.bytes;
  }

  /** Turns an unreported loss at the tail into a logsDropped record there. It is small, so it may exceed the limits. */
  closeGap(): void {
    if (this.gap.records === 0) return;
    const loss = this.gap;
    this.gap = { records: 0, bytes: 0 };
    const json = logsDroppedJson(loss);
    this.push({ json, bytes: Buffer.byteLength(json), arrivedAt: performance.now(), reports: loss, settled: false });
  }

  /** The oldest events, up to `maxItems`, stopping once `maxBytes` is reached. */
  takeBatch(): Batch {
    let count = 0;
    let bytes = 0;
    while (count < this.events.length && count < this.limits.maxItems && bytes < this.limits.maxBytes) {
      bytes += this.events[count].bytes;
      count++;
    }
    const events = this.events.splice(0, count);
    this.bytes -= bytes;
    // There is room again, so a loss at the tail is reported right after what had been buffered.
    this.closeGap();
    return { events, bytes };
  }

  /** A batch that could not be delivered is lost: reported in front of everything still buffered. Returns its loss. */
  reportLostBatch(batch: Batch): Loss {
    const lost: Loss = { records: 0, bytes: 0 };
    for (const event of batch.events) {
      lost.records += event.reports ? event.reports.records : 1;
      lost.bytes += event.reports ? event.reports.bytes : event.bytes;
    }
    const loss = { ...lost };
    const front = this.events[0];
    if (front?.waitsForCompany && front.reports) {
      loss.records += front.reports.records;
      loss.bytes += front.reports.bytes;
      this.bytes -= front.bytes;
      this.events.shift();
    }
    const json = logsDroppedJson(loss);
    const report: BufferedEvent = { json, bytes: Buffer.byteLength(json), arrivedAt: performance.now(), reports: loss, waitsForCompany: true, settled: false };
    this.events.unshift(report);
    this.bytes += report.bytes;
    return lost;
  }

  /** Arrival of the oldest event that warrants a delivery of its own, or undefined when none does. */
  oldestArrival(): number | undefined {
    return this.events.find((event) => !event.waitsForCompany)?.arrivedAt;
  }

  newest(): BufferedEvent | undefined {
    return this.events[this.events.length - 1];
  }

  private push(event: BufferedEvent): void {
    this.events.push(event);
    this.bytes += event.bytes;
  }
}
