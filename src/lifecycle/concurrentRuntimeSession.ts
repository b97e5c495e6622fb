import type { Invocation, ResultPort } from '../invoke/invocation';
import type { ManagedProcess } from '../process/process';
import { Deferred } from './deferred';
import { newInFlightMachine, type InFlightMachine } from './inFlightMachine';
import { InvalidInvocationIdError, InvocationGoneError, TooManyWorkersError } from './invocationRefusals';
import type { ErrorReport, NextWaiter, RuntimePort } from './ports';
import { newRuntimePoolMachine } from './runtimePoolMachine';
import { InvalidRequestIdError } from './runtimeSession';

/** Finished invocations remembered for their late results (403 after a result, 410 after a timeout). */
const REMEMBERED = 1_000;

interface InFlight {
  invocation: Invocation;
  machine: InFlightMachine;
  /** Resolves with the time the runtime's result was read (or the invocation ended). */
  done: Deferred<number>;
}

/**
 * One runtime process on Managed Instances (docs/lambda-behaviour.md#managed-instances): up to `maxConcurrency`
 * workers wait in /next at once, and every invocation in flight has its own state machine keyed by request id.
 * An invocation waits in `queued` when no worker is free.
 */
export class ConcurrentRuntimeSession implements RuntimePort {
  readonly state = newRuntimePoolMachine();
  /** The first worker's /next: function init is done. */
  readonly ready = new Deferred<void>();
  readonly initError = new Deferred<ErrorReport>();
  private waiters: NextWaiter[] = [];
  private readonly queued: InFlight[] = [];
  private readonly inFlight = new Map<string, InFlight>();
  private readonly finished = new Map<string, InFlight>();

  constructor(readonly process: ManagedProcess, readonly maxConcurrency: number) {}

  next(waiter: NextWaiter): void {
    this.waiters = this.waiters.filter((w) => w.alive);
    if (this.waiters.length >= this.maxConcurrency) throw new TooManyWorkersError(this.maxConcurrency);
    this.state.fire('next');
    this.ready.resolve();
    const work = this.queued.shift();
    if (work) this.hand(work, waiter);
    else this.waiters.push(waiter);
  }

  /** Hands an invocation to a free worker, or queues it for the next /next; resolves when its result is read. */
  deliver(invocation: Invocation): Promise<number> {
    const work: InFlight = { invocation, machine: newInFlightMachine(invocation.requestId), done: new Deferred<number>() };
    this.inFlight.set(invocation.requestId, work);
    const waiter = this.takeWaiter();
    if (waiter) this.hand(work, waiter);
    else this.queued.push(work);
    return work.done.promise;
  }

  /** The platform ended the invocation (its timeout): a late result gets 410, and it no longer waits for a worker. */
  end(requestId: string): void {
    const work = this.inFlight.get(requestId);
    if (!work) return;
    work.machine.fire('end');
    const at = this.queued.indexOf(work);
    if (at >= 0) this.queued.splice(at, 1);
    this.finish(work);
  }

  beginResult(requestId: string, kind: 'response' | 'error', invocationId?: string): ResultPort {
    const work = this.inFlight.get(requestId) ?? this.finished.get(requestId);
    if (!work) throw new InvalidRequestIdError();
    if (work.machine.is('Ended')) throw new InvocationGoneError(requestId);
    if (invocationId !== undefined && invocationId !== work.invocation.invocationId) throw new InvalidInvocationIdError(requestId);
    work.machine.fire(kind);
    return work.invocation;
  }

  endResult(requestId: string): void {
    const work = this.inFlight.get(requestId);
    if (!work || !work.machine.can('resultSent')) return;
    work.machine.fire('resultSent');
    this.finish(work);
  }

  admitInitError(): void {
    this.state.check('initError');
  }

  reportInitError(report: ErrorReport): void {
    this.state.fire('initError');
    this.initError.resolve(report);
  }

  private takeWaiter(): NextWaiter | undefined {
    for (let waiter = this.waiters.shift(); waiter; waiter = this.waiters.shift()) {
      if (waiter.alive) return waiter;
    }
    return undefined;
  }

  private hand(work: InFlight, waiter: NextWaiter): void {
    work.machine.fire('deliver');
    work.invocation.mark('delivered');
    waiter.deliver(work.invocation);
  }

  private finish(work: InFlight): void {
    const { requestId } = work.invocation;
    this.inFlight.delete(requestId);
    this.finished.set(requestId, work);
    if (this.finished.size > REMEMBERED) this.finished.delete(this.finished.keys().next().value as string);
    work.done.resolve(performance.now());
  }
}
