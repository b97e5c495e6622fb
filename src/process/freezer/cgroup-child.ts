import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { delay, errorCode } from './wait';
import { FreezerError } from './types';

export const DEFAULT_CGROUP_NAME = 'lambda-sandbox';

/** A cgroup name prefix must be one path component of harmless characters. */
export function validateCgroupName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new FreezerError(
      `invalid freezer cgroup name "${name}": use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
}

/**
 * Removes empty cgroups an earlier init left in `parentDir` when it died without dispose() (SIGKILL, a crash): those
 * named `<name>-<pid>-<hex>` whose creating pid no longer exists. rmdir refuses a cgroup that still has processes,
 * so nothing in use is touched. Returns how many were removed.
 */
export function sweepStaleCgroups(parentDir: string, name: string): number {
  const pattern = new RegExp(`^${name.replace(/[.]/g, '\\.')}-(\\d+)-[0-9a-f]{8}$`);
  let removed = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync(parentDir);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const creator = pattern.exec(entry)?.[1];
    if (creator === undefined || Number(creator) === process.pid || fs.existsSync(`/proc/${creator}`)) continue;
    try {
      fs.rmdirSync(path.join(parentDir, entry));
      removed++;
    } catch {
      // still populated, or not ours to remove
    }
  }
  return removed;
}

export function staleNote(removed: number): string | undefined {
  return removed === 0 ? undefined : `removed ${removed} stale cgroup${removed === 1 ? '' : 's'} left by earlier runs`;
}

/** Creates `<parent>/<name>-<pid>-<random>`; mkdir fails (EEXIST) rather than reuse someone else's cgroup. */
export function makeChildCgroup(parentDir: string, name: string): string {
  // Math.random, not node:crypto (about 10 ms of a cold start to load): the suffix only has to differ, and mkdir
  // refuses a name that is taken anyway.
  const suffix = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  const dir = path.join(parentDir, `${name}-${process.pid}-${suffix}`);
  fs.mkdirSync(dir);
  return dir;
}

/**
 * The /bin/sh wrapper that moves itself into the cgroup and then execs the real command, keeping its pid, so the
 * command and all it forks are inside from the first instruction. $0 is the command (sh prefixes its own error
 * messages with it), $1 the cgroup.procs file, the rest the command line.
 */
const JOIN_AND_EXEC = 'echo $$ > "$1" || { echo "$0: cannot join freezer cgroup $1" >&2; exit 126; }; shift; exec "$@"';

export function wrapInCgroup(procsFile: string, command: string, args: string[]): { command: string; args: string[] } {
  return { command: '/bin/sh', args: ['-c', JOIN_AND_EXEC, command, procsFile, command, ...args] };
}

/**
 * Spawns the wrapper once around a no-op to prove the whole path works (sh exists, cgroup.procs accepts a process
 * of ours). Resolves to undefined on success, else to the reason.
 */
export function probeJoin(procsFile: string): Promise<string | undefined> {
  const wrapped = wrapInCgroup(procsFile, '/bin/sh', ['-c', 'exit 0']);
  return new Promise((resolve) => {
    let stderr = '';
    const child = spawn(wrapped.command, wrapped.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error) => resolve(`cannot run /bin/sh for the cgroup wrapper (${errorCode(error)})`));
    child.once('close', (code, signal) => {
      if (code === 0) resolve(undefined);
      else resolve(`a test process could not join ${procsFile}: ${stderr.trim() || `exit ${code ?? signal}`}`);
    });
  });
}

/** Moves one process into the cgroup. A process that is already gone is not an error. */
export function joinCgroup(procsFile: string, pid: number): void {
  try {
    fs.writeFileSync(procsFile, String(pid));
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return;
    throw new FreezerError(`cannot move process ${pid} into ${procsFile}: ${errorCode(error)}`);
  }
}

/** Pids listed in a cgroup's cgroup.procs; [] when the cgroup is gone. */
export function cgroupPids(dir: string): number[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'latin1');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line !== '').map(Number);
}

/** A cgroup v2's memory.peak in bytes; undefined without the memory controller (or before Linux 5.19). */
export function cgroupMemoryPeak(dir: string): number | undefined {
  try {
    const value = Number(fs.readFileSync(path.join(dir, 'memory.peak'), 'latin1').trim());
    return Number.isFinite(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Moves whatever is still inside back to `parentDir` and removes the cgroup. Exiting processes can keep a cgroup
 * busy for a moment after they left cgroup.procs, so EBUSY is retried briefly. Resolves to a problem description,
 * or undefined when the cgroup is gone.
 */
export async function removeChildCgroup(dir: string, parentDir: string): Promise<string | undefined> {
  const problems: string[] = [];
  for (let attempt = 0; ; attempt++) {
    for (const pid of cgroupPids(dir)) {
      try {
        fs.writeFileSync(path.join(parentDir, 'cgroup.procs'), String(pid));
      } catch (error) {
        if (errorCode(error) !== 'ESRCH' && attempt === 0) {
          problems.push(`process ${pid} could not be moved out (${errorCode(error)})`);
        }
      }
    }
    try {
      fs.rmdirSync(dir);
      return undefined;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') return undefined;
      if (code !== 'EBUSY' || attempt >= 20) {
        return `cannot remove cgroup ${dir}: ${code}${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`;
      }
    }
    await delay(Math.min(2 ** attempt, 50));
  }
}
