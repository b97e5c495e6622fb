import { cgroupMemoryPeak, cgroupPids } from './freezer/cgroup-child';
import { GroupMembers, peakRssBytes } from './procfs';

const MIB = 1024 * 1024;
/** Without a cgroup, finding the groups' members reads every process's stat file: at most once a second. */
const groupMembers = new GroupMembers(1_000);

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
 * forgets processes that already exited, so the caller keeps the maximum over the environment's life. With a
 * cgroup its member list is complete (processes join it before they exec), so no /proc scan is needed; without
 * one, the groups' members come from a scan at most a second old. Then one read of /proc/<pid>/status per process.
 */
export function maxMemoryUsedMb(scope: MemoryScope): number {
  const peak = scope.cgroupDir === undefined ? undefined : cgroupMemoryPeak(scope.cgroupDir);
  if (peak !== undefined) return Math.ceil(peak / MIB);
  const pids = new Set<number>();
  if (scope.cgroupDir !== undefined) {
    for (const pid of cgroupPids(scope.cgroupDir)) pids.add(pid);
  } else {
    const groups = new Set<number>();
    for (const group of scope.processGroups ?? []) if (group !== undefined && group > 0) groups.add(group);
    if (groups.size > 0) for (const process of groupMembers.of(groups)) pids.add(process.pid);
  }
  let total = 0;
  for (const pid of pids) total += peakRssBytes(pid);
  return Math.ceil(total / MIB);
}

/** Max Memory Used of one detached process (its whole process group), in MB rounded up; 0 when there is none. */
export function processTreeMemoryMb(pid: number | undefined): number {
  return maxMemoryUsedMb({ processGroups: [pid] });
}
