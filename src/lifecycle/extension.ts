import { randomUUID } from 'node:crypto';
import type { ManagedProcess } from '../process/process';
import { Deferred } from './deferred';
import { newExtensionStateMachine } from './extensionState';

export type ExtensionEventType = 'INVOKE' | 'SHUTDOWN';

export interface InvokeEvent {
  eventType: 'INVOKE';
  deadlineMs: number;
  requestId: string;
  invokedFunctionArn: string;
  tracing?: { type: 'X-Amzn-Trace-Id'; value: string };
}

export interface ShutdownEvent {
  eventType: 'SHUTDOWN';
  shutdownReason: 'spindown' | 'timeout' | 'failure';
  deadlineMs: number;
}

export type ExtensionEvent = InvokeEvent | ShutdownEvent;

/** An extension's parked `GET /event/next`. */
export interface EventWaiter {
  deliver(event: ExtensionEvent): void;
  readonly alive: boolean;
}

/**
 * One registered (or launched) extension: its state machine, its parked /event/next, and the events it still has to
 * receive. External extensions have a process; internal ones live inside the runtime's.
 */
export class Extension {
  readonly id = randomUUID();
  readonly state;
  events: ExtensionEventType[] = [];
  /** Why it failed: the type it reported through /init/error or /exit/error (e.g. Extension.ConfigInvalid), or ours. */
  errorType: string | undefined;
  /** Its register call: the runtime starts only when every external extension has made it. */
  readonly registeredSignal = new Deferred<void>();
  /** The extension's first /event/next: its init is done. */
  readonly initDone = new Deferred<void>();
  /** Performance time of its last /event/next. */
  lastNextAt = 0;
  private phaseDone: Deferred<void> | undefined;
  private waiter: EventWaiter | undefined;
  private pending: ExtensionEvent | undefined;

  constructor(readonly name: string, readonly process: ManagedProcess | undefined, private readonly isExternal: boolean) {
    this.state = newExtensionStateMachine(name);
  }

  /** External extensions come from files in /opt/extensions (even one that could not be launched). */
  get external(): boolean {
    return this.isExternal;
  }

  subscribes(event: ExtensionEventType): boolean {
    return this.events.includes(event);
  }

  register(events: ExtensionEventType[]): void {
    this.state.transition('Registered');
    this.events = events;
    this.registeredSignal.resolve();
  }

  /** `GET /event/next`: the extension finished its previous work and waits for the next event. */
  next(waiter: EventWaiter): void {
    if (!(this.state.is('Ready') && !this.waiter?.alive)) this.state.transition('Ready');
    this.lastNextAt = performance.now();
    this.waiter = waiter;
    this.initDone.resolve();
    this.phaseDone?.resolve();
    this.phaseDone = undefined;
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      this.deliver(pending);
    }
  }

  /** Sends an event; resolves when the extension is back in /event/next (never, for SHUTDOWN: it should exit). */
  send(event: ExtensionEvent): Promise<void> {
    this.phaseDone = new Deferred<void>();
    const done = this.phaseDone.promise;
    if (this.state.is('Ready') && this.waiter?.alive) this.deliver(event);
    else this.pending = event;
    return done;
  }

  private deliver(event: ExtensionEvent): void {
    const waiter = this.waiter as EventWaiter;
    this.waiter = undefined;
    this.state.transition('Running');
    waiter.deliver(event);
  }
}
