import { oneShot } from './keepAliveClient';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls GET (or POST `{}`) `urlPath` on a fresh connection every `pollMs` until it answers 200. A refused connection (not yet
 * listening) and non-200 answers (not yet ready) are retried; `stillRunning` ends the wait early when the process died.
 */
export async function waitFor200(
  port: number,
  urlPath: string,
  options: { timeoutMs: number; pollMs: number; stillRunning: () => boolean; describe: () => string; method?: 'GET' | 'POST' },
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    try {
      const answer = await oneShot(port, options.method ?? 'GET', urlPath, options.method === 'POST' ? Buffer.from('{}') : undefined);
      if (answer.status === 200) return;
    } catch {
      // not listening yet
    }
    if (!options.stillRunning()) throw new Error(`the process exited before ${urlPath} answered 200\n${options.describe()}`);
    if (performance.now() > deadline) throw new Error(`${urlPath} did not answer 200 within ${options.timeoutMs} ms\n${options.describe()}`);
    await sleep(options.pollMs);
  }
}
