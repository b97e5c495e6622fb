/**
 * Ends the runtime (or, in a worker thread, that worker) when the Runtime API itself fails; nothing sensible can
 * follow.
 */
export function apiFailure(error: unknown): never {
  process.stderr.write(`lambda-sandbox nodejs runtime: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}
