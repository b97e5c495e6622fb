import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeptOpenFile, KeptOpenFiles } from './keptOpenFile';
import { GroupMembers } from './procfs';

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
 * The files of the last cgroup asked about. Whether it has a memory.peak (the memory controller is on for it,
 * Linux >= 5.19) is checked once: the file either exists from the cgroup's creation or never does, and opening a
 * missing file after every invoke costs a thrown error each time.
 */
let cgroupFiles: { dir: string; peak: KeptOpenFile | undefined; procs: KeptOpenFile } | undefined;

function filesOf(dir: string): NonNullable<typeof cgroupFiles> {
  if (cgroupFiles?.dir !== dir) {
    cgroupFiles?.peak?.close();
    cgroupFiles?.procs.close();
    const peak = path.join(dir, 'memory.peak');
    cgroupFiles = { dir, peak: fs.existsSync(peak) ? new KeptOpenFile(peak) : undefined, procs: new KeptOpenFile(path.join(dir, 'cgroup.procs')) };
  }
  return cgroupFiles;
}

function cgroupPeakBytes(dir: string): number | undefined {
  const file = filesOf(dir).peak;
  if (file === undefined) return undefined;
  const value = Number(file.read()?.trim());
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function cgroupPids(dir: string): number[] {
  const text = filesOf(dir).procs.read();
  if (text === undefined) return [];
  const pids: number[] = [];
  for (const line of text.split('\n')) if (line !== '') pids.push(Number(line));
  return pids;
}

/** The kernel's peak RSS of one process (VmHWM in its /proc/<pid>/status text), in bytes; 0 without one (a zombie). */
function vmHwmBytes(status: string | undefined): number {
  if (status === undefined) return 0;
  const at = status.indexOf('\nVmHWM:');
  if (at < 0) return 0;
  const kb = parseInt(status.slice(at + 7, status.indexOf('\n', at + 7)), 10);
  return Number.isFinite(kb) ? kb * 1024 : 0;
}

/** The /proc/<pid>/status of the processes measured last time, kept open for the next time. */
const statusFiles = new KeptOpenFiles((pid: number) => `/proc/${pid}/status`);

/** The sum of the processes' peak RSS in bytes; the status files of processes no longer measured are closed. */
function peakRssSum(pids: Iterable<number>): number {
  let total = 0;
  for (const pid of pids) total += vmHwmBytes(statusFiles.read(pid));
  statusFiles.endRound();
  return total;
}

/**
 * Max Memory Used in MB, rounded up, as REPORT shows it: the cgroup's memory.peak when the memory controller is on for it;
 * otherwise the sum of the peak RSS (VmHWM) of every process in the cgroup or in the given process groups. The sum
 * is an upper bound (each process's peak may come at a different moment, shared pages count once per process) and
 * forgets processes that already exited, so the caller keeps the maximum over the environment's life. With a
 * cgroup its member list is complete (processes join it before they exec), so no /proc scan is needed; without
 * one, the groups' members come from a scan at most a second old. Then one read of /proc/<pid>/status per process:
 * the kernel keeps VmHWM, so sampling once per REPORT misses no peak. The files stay open between samples.
 */
export function maxMemoryUsedMb(scope: MemoryScope): number {
  const peak = scope.cgroupDir === undefined ? undefined : cgroupPeakBytes(scope.cgroupDir);
  if (peak !== undefined) return Math.ceil(peak / MIB);
  let total = 0;
  if (scope.cgroupDir !== undefined) {
    total = peakRssSum(cgroupPids(scope.cgroupDir));
  } else {
    const groups = new Set<number>();
    for (const group of scope.processGroups ?? []) if (group !== undefined && group > 0) groups.add(group);
    total = peakRssSum(groups.size > 0 ? groupMembers.of(groups).map((process) => process.pid) : []);
  }
  return Math.ceil(total / MIB);
}

/** Max Memory Used of one detached process (its whole process group), in MB rounded up; 0 when there is none. */
export function processTreeMemoryMb(pid: number | undefined): number {
  return maxMemoryUsedMb({ processGroups: [pid] });
}
