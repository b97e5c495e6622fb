import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGb: number;
  kernel: string;
  node: string;
  tmpdir: string;
  /** `df -h` line for the temporary directory (the disk both unpackers write to). */
  tmpdirDisk: string;
  /** 1-minute load average when the run started. */
  loadAverage1m: number;
}

export function describeMachine(): Machine {
  let tmpdirDisk = '';
  try {
    tmpdirDisk = execFileSync('df', ['-hT', os.tmpdir()], { encoding: 'utf8' }).trim().split('\n').slice(1).join(' ');
  } catch {
    tmpdirDisk = 'unknown (df failed)';
  }
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    node: process.version,
    tmpdir: os.tmpdir(),
    tmpdirDisk: tmpdirDisk.replace(/\s+/g, ' '),
    loadAverage1m: os.loadavg()[0],
  };
}
