export interface WaitOptions {
  timeoutMs?: number;
  pollMs?: number;
  /** Checked between probes: a reason here ends the wait at once (the process being waited on has died, say). */
  giveUp?: () => string | undefined;
}

/**
 * Polls `probe` until it returns something, for state that another process makes (files, logs, a port that starts
 * to answer). The one wait loop of the tests and the benchmarks.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, options: number | WaitOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, pollMs = 20, giveUp } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const reason = giveUp?.();
    if (reason !== undefined) throw new Error(`gave up waiting for ${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
