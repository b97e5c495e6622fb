import type { ManagedProcess } from '../process/process';
import { Deferred } from './deferred';
import type { Invocation } from '../invoke/invocation';
import { newRuntimeStateMachine } from './runtimeState';
import { TransitionError } from './stateMachine';

/** A runtime's parked `GET /next` request. */
export interface NextWaiter {
  deliver(invocation: Invocation): void;
  /** False once the runtime has dropped the connection. */
  readonly alive: boolean;
}

/** An error the runtime reported through /init/error or /invocation/{id}/error. */
export interface ErrorReport {
  errorType: string;
  body: Buffer;
}

export class InvalidRequestIdError extends Error {
  constructor() {
    super('Invalid request ID');
  }
}

/**
 * One started runtime process and its side of the Runtime API: the state machine, the parked /next, and the
 * invocation it is working on. A reset throws the session away; calls from its dead process then find no session.
 */
export class RuntimeSession {
  readonly state = newRuntimeStateMachine();
  /** The runtime's first /next: function init is done. */
  readonly ready = new Deferred<void>();
  readonly initError = new Deferred<ErrorReport>();
  invocation: Invocation | undefined;
  private phaseDone: Deferred<void> | undefined;
  private waiter: NextWaiter | undefined;
  /** Performance time of the runtime's last /next. */
  lastNextAt = 0;

  constructor(readonly process: ManagedProcess) {}

  /** `GET /next`: the runtime is done with its previous work and waits for an event. */
  next(waiter: NextWaiter): void {
    if (this.state.is('Running') && this.invocation) {
      // The event is out but unanswered (or its /next answer was lost): deliver it again, as RIE does.
      this.invocation.deliveredAt ??= performance.now();
      waiter.deliver(this.invocation);
      return;
    }
    if (this.state.is('Ready') && !this.waiter?.alive) {
      this.waiter = waiter; // replaces a /next whose connection dropped
      return;
    }
    this.state.transition('Ready');
    this.lastNextAt = performance.now();
    this.waiter = waiter;
    this.ready.resolve();
    this.phaseDone?.resolve();
  }

  /** Hands an invocation to the runtime; resolves when the runtime is back in /next. */
  deliver(invocation: Invocation): Promise<void> {
    this.state.transition('Running');
    this.invocation = invocation;
    this.phaseDone = new Deferred<void>();
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter?.alive) {
      invocation.deliveredAt = performance.now();
      waiter.deliver(invocation);
    }
    return this.phaseDone.promise;
  }

  /** `/response` or `/error` for `requestId` starts; returns the invocation it belongs to. */
  beginResult(requestId: string, kind: 'InvocationResponse' | 'InvocationErrorResponse'): Invocation {
    if (!this.invocation || this.state.is('Ready', 'Started', 'InitError')) {
      throw new TransitionError('runtime', this.state.state, kind);
    }
    if (requestId !== this.invocation.requestId) throw new InvalidRequestIdError();
    this.state.transition(kind);
    return this.invocation;
  }

  /** The result body has been received completely (or refused); the runtime may call /next. */
  endResult(): void {
    if (this.state.is('InvocationResponse', 'InvocationErrorResponse')) this.state.transition('ResponseSent');
  }

  /** `/init/error`. */
  reportInitError(report: ErrorReport): void {
    this.state.transition('InitError');
    this.initError.resolve(report);
  }
}
