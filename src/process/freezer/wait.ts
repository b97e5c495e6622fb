/** Resolves after `ms` milliseconds; 0 means "after pending I/O callbacks" (setImmediate), not a busy loop. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) setImmediate(resolve);
    else setTimeout(resolve, ms);
  });
}

/**
 * Runs async operations one after another, so a thaw requested while a freeze is still settling waits for it instead
 * of racing it. A failed operation does not block the ones queued after it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation, operation);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** The errno code of an error (EACCES, EROFS, ...), or its message when it has none. */
export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
