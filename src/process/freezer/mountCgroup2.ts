import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { parseMountInfo } from './cgroup-mounts';

export const OWN_CGROUP2_MOUNT = '/run/lambda-sandbox/cgroup2';

/**
 * A container started with `--cgroupns=private --cap-add SYS_ADMIN` has no writable cgroup2 mounted, but may mount
 * its own: the namespace's root is then the container's cgroup, and the freezer can make a child of it. Only as PID 1
 * (a container), only when no read-write cgroup2 is mounted already. Returns the mount point, or why not.
 */
export function mountOwnCgroup2(mountPoint = OWN_CGROUP2_MOUNT): { ok: true; dir: string } | { ok: false; reason: string } {
  if (process.pid !== 1) return { ok: false, reason: 'not PID 1' };
  let mounts;
  try {
    mounts = parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch (error) {
    return { ok: false, reason: `cannot read /proc/self/mountinfo: ${(error as Error).message}` };
  }
  const writable = mounts.find((m) => m.fsType === 'cgroup2' && isWritable(m.mountPoint));
  if (writable) return { ok: false, reason: `a writable cgroup2 is mounted at ${writable.mountPoint}` };
  try {
    fs.mkdirSync(mountPoint, { recursive: true });
  } catch (error) {
    return { ok: false, reason: `cannot create ${mountPoint}: ${(error as NodeJS.ErrnoException).code}` };
  }
  const result = spawnSync('mount', ['-t', 'cgroup2', 'cgroup2', mountPoint], { encoding: 'utf8', timeout: 5_000 });
  if (result.status !== 0) {
    try {
      fs.rmdirSync(mountPoint);
    } catch {
      // an empty directory left in /run harms nothing
    }
    const why = (result.stderr || result.error?.message || `exit status ${result.status}`).trim();
    return { ok: false, reason: `mount -t cgroup2 failed (needs --cgroupns=private --cap-add SYS_ADMIN): ${why}` };
  }
  return { ok: true, dir: mountPoint };
}

/** access(W_OK) fails with EROFS on a read-only mount, even for root. */
function isWritable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
