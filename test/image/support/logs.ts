import type { SandboxContainer } from '../../../src/host/container';

/**
 * Waits until the container's log has `count` lines matching `pattern` (lines such as REPORT are written just
 * after the response is sent) and returns the whole log; fails after `timeoutMs` with the log in the message.
 */
export async function waitForLogLines(sandbox: SandboxContainer, pattern: RegExp, count = 1, timeoutMs = 10_000): Promise<string> {
  const lines: string[] = [];
  let matched = 0;
  let onMatch: () => void = () => undefined;
  const enough = new Promise<void>((resolve) => { onMatch = resolve; });
  const following = await sandbox.followLogs((line) => {
    lines.push(line);
    if (pattern.test(line) && ++matched >= count) onMatch();
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
  const outcome = await Promise.race([enough.then(() => 'ok' as const), following.done.then(() => 'ended' as const), timedOut]);
  clearTimeout(timer);
  following.stop();
  const log = lines.join('\n');
  if (outcome !== 'ok') throw new Error(`expected ${count} log line(s) matching ${pattern}, saw ${matched} (${outcome}):\n${log}`);
  return log;
}
