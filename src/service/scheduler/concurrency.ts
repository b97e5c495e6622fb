import type { ThrottleReason } from '../api/errors';

/**
 * Concurrency as Lambda counts it: the invocations being served at one moment
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html). A function with reserved concurrency
 * may run that many and no more; the others share what the account limit leaves unreserved.
 */
export class ConcurrencyLimits {
  private readonly inFlight = new Map<string, number>();
  private readonly reserved = new Map<string, number>();
  private unreservedInFlight = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly accountLimit: number) {}

  setReserved(functionName: string, value: number | undefined): void {
    if (value === undefined) this.reserved.delete(functionName);
    else this.reserved.set(functionName, value);
    this.wake();
  }

  /** What the account limit leaves for functions without reserved concurrency. */
  unreservedLimit(except?: string): number {
    let total = 0;
    for (const [name, value] of this.reserved) if (name !== except) total += value;
    return this.accountLimit - total;
  }

  running(functionName: string): number {
    return this.inFlight.get(functionName) ?? 0;
  }

  get total(): number {
    let sum = 0;
    for (const value of this.inFlight.values()) sum += value;
    return sum;
  }

  /**
   * Counts one more invocation of the function and returns what ends it, or tells why it may not run now. The
   * release remembers which share it took, so a change of reserved concurrency meanwhile keeps the counts right.
   */
  tryAcquire(functionName: string): (() => void) | ThrottleReason {
    const reserved = this.reserved.get(functionName);
    const unreserved = reserved === undefined;
    if (!unreserved) {
      if (this.running(functionName) >= reserved) return 'ReservedFunctionConcurrentInvocationLimitExceeded';
    } else if (this.unreservedInFlight >= this.unreservedLimit()) {
      return 'ConcurrentInvocationLimitExceeded';
    }
    if (unreserved) this.unreservedInFlight += 1;
    this.inFlight.set(functionName, this.running(functionName) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const running = this.running(functionName);
      if (running <= 1) this.inFlight.delete(functionName);
      else this.inFlight.set(functionName, running - 1);
      if (unreserved) this.unreservedInFlight -= 1;
      this.wake();
    };
  }

  /** Resolves the next time capacity frees up (for queued asynchronous invocations). */
  freed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
