import { randomUUID } from 'node:crypto';
import type { ManagedProcess } from '../process/process';
import { Deferred } from './deferred';
import { newExtensionMachine } from './extensionMachine';
import type { EventWaiter } from './ports';

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

/**
 * One registered (or launched) extension: its state machine, its parked /event/next, and the event it still has to
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
  /** Resolves with the time of the extension's next /event/next after an event was sent. */
  private phaseDone: Deferred<number> | undefined;
  private waiter: EventWaiter | undefined;
  private pending: ExtensionEvent | undefined;

  constructor(readonly name: string, readonly process: ManagedProcess | undefined, readonly external: boolean) {
    this.state = newExtensionMachine(name);
  }

  subscribes(event: ExtensionEventType): boolean {
    return this.events.includes(event);
  }

  register(events: ExtensionEventType[]): void {
    this.state.fire('register');
    this.events = events;
    this.registeredSignal.resolve();
  }

  /** `GET /event/next`: the extension finished its previous work and waits for the next event. */
  next(waiter: EventWaiter): void {
    this.state.fire(this.state.is('Ready') && !this.waiter?.alive ? 'reconnect' : 'next');
    this.waiter = waiter;
    this.initDone.resolve();
    this.phaseDone?.resolve(performance.now());
    this.phaseDone = undefined;
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      this.deliver(pending);
    }
  }

  /** Sends an event; resolves with the time the extension is back in /event/next (never, for SHUTDOWN: it should exit). */
  send(event: ExtensionEvent): Promise<number> {
    this.phaseDone = new Deferred<number>();
    const done = this.phaseDone.promise;
    if (this.state.is('Ready') && this.waiter?.alive) this.deliver(event);
    else this.pending = event;
    return done;
  }

  private deliver(event: ExtensionEvent): void {
    const waiter = this.waiter as EventWaiter;
    this.waiter = undefined;
    this.state.fire('deliver');
    waiter.deliver(event);
  }
}
