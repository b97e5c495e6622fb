/**
 * How many invocations are in flight on the current sandbox (Managed Instances run several at once), and who waits
 * for that number to reach zero (a tenant switch, docs/lambda-behaviour.md#tenant-isolation).
 */
export class InFlightCount {
  private count = 0;
  private drainWaiters: Array<() => void> = [];

  get value(): number {
    return this.count;
  }

  /** One more; true when it is the first (the environment goes Ready → Invoking). */
  add(): boolean {
    return ++this.count === 1;
  }

  /** One fewer; true when it was the last (Invoking → Ready). */
  remove(): boolean {
    if (this.count === 0) return false;
    if (--this.count > 0) return false;
    this.wake();
    return true;
  }

  /** The sandbox is gone: whatever was in flight on it no longer counts. */
  clear(): void {
    this.count = 0;
    this.wake();
  }

  drained(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private wake(): void {
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}
