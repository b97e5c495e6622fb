import type { Context } from 'mocha';
import { connectDocker, isDockerReachable } from '../../../src/host/dockerEngine';

let reachable: Promise<boolean> | undefined;
let announced = false;

/**
 * Skips the calling suite, loudly, when no Docker engine answers. Call from a `before` hook:
 * `before(async function () { await requireDocker(this); })`.
 */
export async function requireDocker(context: Context): Promise<void> {
  reachable ??= isDockerReachable(connectDocker(), 5000);
  if (await reachable) return;
  if (!announced) {
    announced = true;
    const where = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
    process.stdout.write(`\n${'!'.repeat(78)}\n!! SKIPPED: no Docker engine (nothing answers at ${where}).\n` +
      '!! The image tests (test/image) did not run. Start dockerd, or set DOCKER_HOST, to run them.\n' +
      `${'!'.repeat(78)}\n\n`);
  }
  context.skip();
}

/** Prints a loud notice that a suite is skipped for a reason other than a missing engine, then skips it. */
export function skipLoudly(context: Context, reason: string): never {
  process.stdout.write(`\n!! SKIPPED: ${reason}\n\n`);
  context.skip();
}
