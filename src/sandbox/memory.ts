import { cgroupMemoryPeak, cgroupPids } from './freezer/cgroup-child';
import { peakRssBytes, processesInGroups } from './procfs';

const MIB = 1024 * 1024;

/** What to measure: the runtime's and extensions' process groups, and the freezer's cgroup when there is one. */
export interface MemoryScope {
  /** Process group ids (= pids of the detached runtime and extension processes). */
  processGroups?: Iterable<number | undefined>;
  /** The freezer's cgroup (Freezer.cgroupDir): its memory.peak when present, else its member list. */
  cgroupDir?: string;
}

/**
 * Max Memory Used in MB, rounded up (spec 8): the cgroup's memory.peak when the memory controller is on for it;
 * otherwise the sum of the peak RSS (VmHWM) of every process in the cgroup or in the given process groups. The sum
 * is an upper bound (each process's peak may come at a different moment, shared pages count once per process) and
 * forgets processes that already exited, so the caller keeps the maximum over the environment's life. One read of
 * /proc/<pid>/status per process (plus one /proc scan without a cgroup): cheap enough for every invoke.
 */
export function maxMemoryUsedMb(scope: MemoryScope): number {
  const peak = scope.cgroupDir === undefined ? undefined : cgroupMemoryPeak(scope.cgroupDir);
  if (peak !== undefined) return Math.ceil(peak / MIB);
  const pids = new Set<number>();
  if (scope.cgroupDir !== undefined) for (const pid of cgroupPids(scope.cgroupDir)) pids.add(pid);
  const groups = new Set<number>();
  for (const group of scope.processGroups ?? []) if (group !== undefined && group > 0) groups.add(group);
  for (const process of processesInGroups(groups)) pids.add(process.pid);
  let total = 0;
  for (const pid of pids) total += peakRssBytes(pid);
  return Math.ceil(total / MIB);
}

/** Max Memory Used of one detached process (its whole process group), in MB rounded up; 0 when there is none. */
export function processTreeMemoryMb(pid: number | undefined): number {
  return maxMemoryUsedMb({ processGroups: [pid] });
}
