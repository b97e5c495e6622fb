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

/**
 * VmRSS, VmHWM and RssAnon of one process (not its children) from /proc/<pid>/status. A process that is gone is
 * named as such, with what `describe` adds (e.g. its output), rather than as a missing file.
 */
export function processMemory(pid: number, describe?: () => string): ProcessMemory {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(`process ${pid} exited before its memory could be read${describe ? `\n${describe()}` : ''}`);
  }
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field} line`);
    return Number(match[1]);
  };
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024 };
}
