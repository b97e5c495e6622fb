/**
 * Holds SIGTERM and SIGINT that arrive before the init's shutdown handler exists.
 *
 * As PID 1 of a container a process never gets the default action of a signal: the kernel drops every signal it
 * has no handler for. Until the init registers its shutdown handler (after its modules load, the zips unpack and
 * the APIs listen), a `docker stop` would be lost, and Docker would kill the container at the end of its grace
 * period (exit 137) instead of the orderly Shutdown Lambda gives (AWS's "Lambda execution environment
 * lifecycle", Shutdown phase: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 *
 * `installEarlySignalQueue()` is meant to be the first statement the init runs. It listens for both signals at
 * once and remembers them. The first listener anyone else adds for a signal takes over: the queue steps aside
 * for that signal and replays it, if it came, to the new listener(s) — so `process.on('SIGTERM', shutdown)` in
 * the init is the hand-over, and `handOver(handler)` is the same for both signals in one call.
 */

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';
const SIGNALS: readonly ShutdownSignal[] = ['SIGTERM', 'SIGINT'];

export interface EarlySignalQueue {
  /** The signals received and not yet handed over, in arrival order (each at most once). */
  readonly pending: readonly ShutdownSignal[];
  /** Registers `handler` for SIGTERM and SIGINT; a signal already received is passed to it right after. */
  handOver(handler: (signal: ShutdownSignal) => void): void;
}

let installed: EarlySignalQueue | undefined;

/** Starts holding SIGTERM/SIGINT for whoever registers a handler later. Idempotent: one queue per process. */
export function installEarlySignalQueue(): EarlySignalQueue {
  installed ??= createQueue();
  return installed;
}

function createQueue(): EarlySignalQueue {
  const pending: ShutdownSignal[] = [];
  const waiting = new Set<ShutdownSignal>(SIGNALS);
  const hold = (signal: NodeJS.Signals) => {
    if (isShutdownSignal(signal) && !pending.includes(signal)) pending.push(signal);
  };

  const takeOver = (signal: ShutdownSignal) => {
    waiting.delete(signal);
    if (waiting.size === 0) process.off('newListener', onNewListener);
    // Only once the new listener is in place (the 'newListener' event comes just before): between removing ours
    // and adding theirs, PID 1 would have no handler and the kernel would drop the signal.
    queueMicrotask(() => {
      if (process.listenerCount(signal) > 1) process.off(signal, hold);
      const index = pending.indexOf(signal);
      if (index === -1) return;
      pending.splice(index, 1);
      process.emit(signal, signal);
    });
  };
  function onNewListener(event: string | symbol, listener: unknown): void {
    if (isShutdownSignal(event) && waiting.has(event) && listener !== hold) takeOver(event);
  }

  for (const signal of SIGNALS) process.on(signal, hold);
  process.on('newListener', onNewListener);
  return {
    get pending() {
      return [...pending];
    },
    handOver(handler) {
      for (const signal of SIGNALS) process.on(signal, () => handler(signal));
    },
  };
}

function isShutdownSignal(value: unknown): value is ShutdownSignal {
  return value === 'SIGTERM' || value === 'SIGINT';
}
