import { waitFor } from '../../test/helpers/wait';
import { oneShot } from './keepAliveClient';

/**
 * Polls GET (or POST `{}`) `urlPath` on a fresh connection every `pollMs` until it answers 200. A refused connection
 * (not yet listening) and non-200 answers (not yet ready) are retried; `stillRunning` ends the wait early when the
 * process died.
 */
export async function waitFor200(
  port: number,
  urlPath: string,
  options: { timeoutMs: number; pollMs: number; stillRunning: () => boolean; describe: () => string; method?: 'GET' | 'POST' },
): Promise<void> {
  const method = options.method ?? 'GET';
  const answers200 = async (): Promise<true | undefined> => {
    const answer = await oneShot(port, method, urlPath, method === 'POST' ? Buffer.from('{}') : undefined).catch(() => undefined);
    return answer?.status === 200 ? true : undefined;
  };
  await waitFor(`${urlPath} to answer 200`, answers200, {
    timeoutMs: options.timeoutMs,
    pollMs: options.pollMs,
    giveUp: () => (options.stillRunning() ? undefined : 'the process exited'),
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${options.describe()}`);
  });
}
