/**
 * Runs `work` over `items` with at most `limit` in flight, in order. On the first failure it starts nothing new,
 * calls `onFailure` (to abort streams in flight), waits for what is running to settle, and throws that failure:
 * nothing may still be writing when the caller starts cleaning up.
 */
export async function forEachLimited<T>(
  items: readonly T[], limit: number, work: (item: T) => Promise<void>, onFailure: (err: unknown) => void,
): Promise<void> {
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (err) {
        if (!failed) {
          failed = true;
          failure = err;
          onFailure(err);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failure;
}

/** A counting semaphore: at most `slots` holders at once. */
export class Semaphore {
  private readonly waiting: Array<() => void> = [];

  constructor(private slots: number) {}

  async acquire(): Promise<void> {
    if (this.slots > 0) {
      this.slots -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const wake = this.waiting.shift();
    if (wake) wake();
    else this.slots += 1;
  }
}
