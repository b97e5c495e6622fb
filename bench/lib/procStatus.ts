import * as fs from 'node:fs';

export interface ProcessMemory {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size (VmHWM), MB. */
  hwmMb: number;
  /**
   * The anonymous part of the RSS (RssAnon: heaps, stacks), MB: what the process's own work holds. The rest is
   * mostly the Node binary's pages (RssFile), the same for every Node process.
   */
  anonMb: number;
}

/** VmRSS, VmHWM and RssAnon of one process (not its children) from /proc/<pid>/status. */
export function processMemory(pid: number): ProcessMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field} line`);
    return Number(match[1]);
  };
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024 };
}
