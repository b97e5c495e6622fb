/** A promise with its resolve function exposed, for events another part of the code will report. */
export class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  private done = false;

  constructor() {
    this.promise = new Promise<T>((resolve) => {
      this.resolve = (value: T) => {
        if (this.done) return;
        this.done = true;
        resolve(value);
      };
    });
  }

  get settled(): boolean {
    return this.done;
  }
}

/** Resolves after `ms` unless cancelled; `cancel` keeps a finished race from holding the event loop open. */
export function timer(ms: number): { promise: Promise<'timeout'>; cancel: () => void } {
  let handle: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>((resolve) => {
    handle = setTimeout(() => resolve('timeout'), Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(handle) };
}
