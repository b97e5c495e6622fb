import type { Invocation, ResultPort } from '../invoke/invocation';
import type { ManagedProcess } from '../process/process';
import { Deferred } from './deferred';
import { InvalidInvocationIdError } from './invocationRefusals';
import type { ErrorReport, NextWaiter, RuntimePort } from './ports';
import { newRuntimeMachine } from './runtimeMachine';

export class InvalidRequestIdError extends Error {
  constructor() {
    super('Invalid request ID');
  }
}

/**
 * One started runtime process and its side of the Runtime API: the state machine, the parked /next, and the
 * invocation it is working on. A reset throws the session away; calls from its dead process then find no session.
 */
export class RuntimeSession implements RuntimePort {
  readonly state = newRuntimeMachine();
  /** The runtime's first /next: function init is done. */
  readonly ready = new Deferred<void>();
  readonly initError = new Deferred<ErrorReport>();
  private invocation: Invocation | undefined;
  /** Resolves with the time of the runtime's next /next after a delivery. */
  private phaseDone: Deferred<number> | undefined;
  private waiter: NextWaiter | undefined;

  constructor(readonly process: ManagedProcess) {}

  next(waiter: NextWaiter): void {
    const event = this.state.is('Ready') && !this.waiter?.alive ? 'reconnect' : 'next';
    this.state.fire(event);
    if (this.state.is('Running')) {
      const invocation = this.invocation as Invocation;
      invocation.mark('delivered');
      waiter.deliver(invocation);
      return;
    }
    this.waiter = waiter;
    if (event === 'reconnect') return;
    this.invocation = undefined;
    this.ready.resolve();
    this.phaseDone?.resolve(performance.now());
  }

  /** Hands an invocation to the runtime; resolves with the time the runtime is back in /next. */
  deliver(invocation: Invocation): Promise<number> {
    this.state.fire('deliver');
    this.invocation = invocation;
    this.phaseDone = new Deferred<number>();
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter?.alive) {
      invocation.mark('delivered');
      waiter.deliver(invocation);
    }
    return this.phaseDone.promise;
  }

  beginResult(requestId: string, kind: 'response' | 'error', invocationId?: string): ResultPort {
    if (this.invocation && requestId !== this.invocation.requestId) throw new InvalidRequestIdError();
    // Checked only when the runtime echoes the header (docs/lambda-behaviour.md#invocation-ids).
    if (this.invocation && invocationId !== undefined && invocationId !== this.invocation.invocationId) {
      throw new InvalidInvocationIdError(requestId);
    }
    this.state.fire(kind);
    return this.invocation as Invocation;
  }

  endResult(_requestId: string): void {
    if (this.state.can('resultSent')) this.state.fire('resultSent');
  }

  admitInitError(): void {
    this.state.check('initError');
  }

  reportInitError(report: ErrorReport): void {
    this.state.fire('initError');
    this.initError.resolve(report);
  }
}
