import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Freezer } from '../../../src/process/freezer';

/**
 * A shell ticker: appends a line to $1 every 20 ms, forking a `sleep` each time (so forked children are covered
 * too). With $2 = "setsid" the ticking happens in a grandchild that left for its own session and process group.
 */
const TICKER = `#!/bin/sh
if [ "$2" = setsid ]; then
  setsid sh "$0" "$1" &
  exec sleep 1000
fi
while :; do echo >> "$1"; sleep 0.02; done
`;

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'freezer-test-'));
}

export function writeTicker(dir: string): string {
  const file = path.join(dir, 'ticker.sh');
  fs.writeFileSync(file, TICKER, { mode: 0o755 });
  return file;
}

/** Spawns the ticker the way the init spawns runtimes: wrapped by the freezer, detached, then tracked. */
export function startTicker(freezer: Freezer, script: string, tickFile: string, mode: 'plain' | 'setsid' = 'plain'): ChildProcess {
  const wrapped = freezer.wrap('/bin/sh', [script, tickFile, mode]);
  const child = spawn(wrapped.command, wrapped.args, { detached: true, stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('ticker did not start');
  freezer.track(child.pid);
  return child;
}

export function ticks(file: string): number {
  try {
    return fs.readFileSync(file, 'latin1').split('\n').length - 1;
  } catch {
    return 0;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition` holds, failing with `what` after 10 s (tests must fail with a reason, not hang). */
export async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
