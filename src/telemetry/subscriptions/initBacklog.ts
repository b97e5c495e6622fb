import type { PlatformEvent } from '../events';
import type { Loss } from './logsDropped';
import type { EventCategory } from './subscriptionRequest';
import { categoryOf } from './wireEvent';

export interface BacklogLimits {
  maxEvents: number;
  maxBytes: number;
}

/** Generous for an init phase, bounded against a function that prints megabytes while it loads. */
export const DEFAULT_BACKLOG_LIMITS: BacklogLimits = { maxEvents: 10_000, maxBytes: 4 * 1024 * 1024 };

export interface ReplayTarget {
  offer(event: PlatformEvent): void;
  noteMissed(category: EventCategory, loss: Loss): void;
}

/**
 * Every event since the init phase began, so that a subscription made during init still sees all of it (docs/lambda-behaviour.md#telemetry-api).
 * Once full, later events are only counted; a late subscriber is told about them with a logsDropped record.
 */
export class InitBacklog {
  private readonly events: PlatformEvent[] = [];
  private bytes = 0;
  private readonly missed = new Map<EventCategory, Loss>();

  constructor(private readonly limits: BacklogLimits) {}

  add(event: PlatformEvent): void {
    const size = Buffer.byteLength(JSON.stringify(event));
    if (this.events.length >= this.limits.maxEvents || this.bytes + size > this.limits.maxBytes) {
      const category = categoryOf(event);
      const loss = this.missed.get(category) ?? { records: 0, bytes: 0 };
      this.missed.set(category, { records: loss.records + 1, bytes: loss.bytes + size });
      return;
    }
    this.events.push(event);
    this.bytes += size;
  }

  replayInto(target: ReplayTarget): void {
    for (const event of this.events) target.offer(event);
    for (const [category, loss] of this.missed) target.noteMissed(category, loss);
  }
}
