import * as fs from 'node:fs';
import * as path from 'node:path';
import { GroupMembers } from './procfs';
import { readSmallFile } from './smallFile';

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
 * Whether the last cgroup asked about has a memory.peak (the memory controller is on for it, Linux >= 5.19),
 * checked once per cgroup: the file either exists from the cgroup's creation or never does, and opening a missing
 * file after every invoke costs a thrown error each time.
 */
let peakFileOf: { dir: string; file: string | undefined } | undefined;

function cgroupPeakBytes(dir: string): number | undefined {
  if (peakFileOf?.dir !== dir) {
    const file = path.join(dir, 'memory.peak');
    peakFileOf = { dir, file: fs.existsSync(file) ? file : undefined };
  }
  if (peakFileOf.file === undefined) return undefined;
  const value = Number(readSmallFile(peakFileOf.file)?.trim());
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function cgroupPids(dir: string): number[] {
  const text = readSmallFile(path.join(dir, 'cgroup.procs'));
  if (text === undefined) return [];
  const pids: number[] = [];
  for (const line of text.split('\n')) if (line !== '') pids.push(Number(line));
  return pids;
}

/** The kernel's peak RSS of one process (VmHWM in /proc/<pid>/status), in bytes; 0 when it is gone or a zombie. */
function peakRssBytes(pid: number): number {
  const status = readSmallFile(`/proc/${pid}/status`);
  if (status === undefined) return 0;
  const at = status.indexOf('\nVmHWM:');
  if (at < 0) return 0;
  const kb = parseInt(status.slice(at + 7, status.indexOf('\n', at + 7)), 10);
  return Number.isFinite(kb) ? kb * 1024 : 0;
}

/**
 * Max Memory Used in MB, rounded up, as REPORT shows it: the cgroup's memory.peak when the memory controller is on for it;
 * otherwise the sum of the peak RSS (VmHWM) of every process in the cgroup or in the given process groups. The sum
 * is an upper bound (each process's peak may come at a different moment, shared pages count once per process) and
 * forgets processes that already exited, so the caller keeps the maximum over the environment's life. With a
 * cgroup its member list is complete (processes join it before they exec), so no /proc scan is needed; without
 * one, the groups' members come from a scan at most a second old. Then one read of /proc/<pid>/status per process:
 * the kernel keeps VmHWM, so sampling once per REPORT misses no peak.
 */
export function maxMemoryUsedMb(scope: MemoryScope): number {
  const peak = scope.cgroupDir === undefined ? undefined : cgroupPeakBytes(scope.cgroupDir);
  if (peak !== undefined) return Math.ceil(peak / MIB);
  let total = 0;
  if (scope.cgroupDir !== undefined) {
    for (const pid of cgroupPids(scope.cgroupDir)) total += peakRssBytes(pid);
  } else {
    const groups = new Set<number>();
    for (const group of scope.processGroups ?? []) if (group !== undefined && group > 0) groups.add(group);
    if (groups.size > 0) for (const process of groupMembers.of(groups)) total += peakRssBytes(process.pid);
  }
  return Math.ceil(total / MIB);
}

/** Max Memory Used of one detached process (its whole process group), in MB rounded up; 0 when there is none. */
export function processTreeMemoryMb(pid: number | undefined): number {
  return maxMemoryUsedMb({ processGroups: [pid] });
}
