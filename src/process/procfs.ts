import * as fs from 'node:fs';
import { KeptOpenFiles } from './keptOpenFile';

/** The few fields of /proc/<pid>/stat the sandbox needs (proc(5)). */
export interface ProcStat {
  pid: number;
  /** The executable name, without the parentheses the kernel puts around it. */
  comm: string;
  /** One letter: R running, S sleeping, D disk sleep, T stopped, t tracing stop, Z zombie, X dead, ... */
  state: string;
  ppid: number;
  pgid: number;
}

/**
 * Parses one /proc/<pid>/stat line. The name may contain spaces and parentheses, so the fields after it are found
 * from the LAST ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  const [state, ppid, pgid] = [rest[0], Number(rest[1]), Number(rest[2])];
  if (!Number.isInteger(pid) || !state || !Number.isInteger(ppid) || !Number.isInteger(pgid)) return undefined;
  return { pid, comm: text.slice(open + 1, close), state, ppid, pgid };
}

/** The stat of one process, or undefined when it is gone (or /proc is unreadable). */
export function readProcStat(pid: number | 'self'): ProcStat | undefined {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** Every process visible in /proc right now. Processes that vanish while we read are skipped. */
export function listProcesses(): ProcStat[] {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const result: ProcStat[] = [];
  for (const name of names) {
    const first = name.charCodeAt(0);
    if (first < 48 || first > 57) continue; // only the numeric entries are processes
    const stat = readProcStat(Number(name));
    if (stat) result.push(stat);
  }
  return result;
}

/** Every process visible in /proc right now, by the pid of its parent. */
export function processesByParent(): Map<number, ProcStat[]> {
  const children = new Map<number, ProcStat[]>();
  for (const stat of listProcesses()) {
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  return children;
}

/** The pids of every process whose process group is one of `groups`. */
export function processesInGroups(groups: ReadonlySet<number>): ProcStat[] {
  if (groups.size === 0) return [];
  return listProcesses().filter((p) => groups.has(p.pgid));
}

/**
 * The members of some process groups, found by a full /proc scan at most every `maxAgeMs`; in between only the
 * members already known are re-read (one small file each instead of one per process on the machine, kept open
 * between calls). A process that joins a group between scans is found by the next one.
 */
export class GroupMembers {
  private key = '';
  private scannedAt = -Infinity;
  private known: number[] = [];
  private readonly statFiles = new KeptOpenFiles((pid: number) => `/proc/${pid}/stat`);

  constructor(private readonly maxAgeMs: number) {}

  of(groups: ReadonlySet<number>): ProcStat[] {
    const key = [...groups].sort((a, b) => a - b).join(',');
    const now = performance.now();
    if (key !== this.key || now - this.scannedAt > this.maxAgeMs) {
      const found = processesInGroups(groups);
      this.key = key;
      this.scannedAt = now;
      this.known = found.map((p) => p.pid);
      return found;
    }
    const found: ProcStat[] = [];
    for (const pid of this.known) {
      const text = this.statFiles.read(pid);
      const stat = text === undefined ? undefined : parseProcStat(text);
      if (stat !== undefined && groups.has(stat.pgid)) found.push(stat);
    }
    this.statFiles.endRound();
    return found;
  }
}

/** Peak resident set size (VmHWM) of a process in bytes; 0 for zombies, kernel threads and vanished processes. */
export function peakRssBytes(pid: number): number {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return 0;
  }
  const match = /^VmHWM:\s*(\d+)\s*kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}
