import * as fs from 'node:fs';

/**
 * CPU time a process has used so far, in ms, summed over all its threads (/proc/<pid>/task/<tid>/schedstat, ns on
 * the CPU). Unlike wall time it does not grow when other processes compete for the CPUs, so it shows the cost of
 * our own code even on a busy machine. Threads that exited earlier are not counted (Node's stay for its lifetime).
 */
export function cpuTimeMs(pid: number): number {
  let total = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // the thread ended between readdir and read
    }
  }
  return total / 1e6;
}
