import { cgroupPids } from './freezer/cgroup-child';
import { processesByParent, type ProcStat } from './procfs';

/**
 * Every process the sandbox started, however it detached itself (setsid, double fork): the members of its cgroup
 * when it has one, otherwise every descendant of the init (orphans are reparented to the init, which is PID 1 or a
 * child subreaper, so they stay its descendants).
 */
export function sandboxProcesses(cgroupDir: string | undefined): number[] {
  if (cgroupDir) return cgroupPids(cgroupDir);
  return descendantsOf(process.pid).map((p) => p.pid);
}

/** The descendants of `root`, from one /proc scan. */
export function descendantsOf(root: number): ProcStat[] {
  const children = processesByParent();
  const found: ProcStat[] = [];
  const pending = [root];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      pending.push(child.pid);
    }
  }
  return found;
}

/** SIGKILLs whatever of the sandbox is still there; returns how many processes it killed. */
export function killSandboxProcesses(cgroupDir: string | undefined): number {
  let killed = 0;
  for (const pid of sandboxProcesses(cgroupDir)) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // gone already
    }
  }
  return killed;
}
