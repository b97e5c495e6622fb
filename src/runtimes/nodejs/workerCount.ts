import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * How many worker threads serve Managed Instances mode, and how the AWS_LAMBDA_MAX_CONCURRENCY /next loops are shared
 * among them (docs/nodejs-runtime.md, "Managed Instances"). AWS documents the default as "determined by the number of
 * vCPUs" (DG/lambda-managed-instances-nodejs-runtime); aws-lambda-ric 4.x uses 8 per vCPU, read from the cgroup's
 * cpu.max quota. We do the same, and never start more workers than there are loops.
 */
export const WORKERS_PER_CPU = 8;

/** vCPUs from the cgroup v2 quota (`cpu.max`: "quota period" or "max period"), else what Node sees. */
export function availableCpus(readCpuMax: () => string = () => fs.readFileSync('/sys/fs/cgroup/cpu.max', 'utf8')): number {
  try {
    const [quota, period] = readCpuMax().trim().split(/\s+/);
    const value = Number(quota) / Number(period);
    if (quota !== 'max' && Number.isFinite(value) && value > 0) return Math.ceil(value);
  } catch {
    // No cgroup v2 quota to read: fall through to the CPUs the process may use.
  }
  return Math.max(1, os.availableParallelism());
}

/** AWS_LAMBDA_NODEJS_WORKER_COUNT when it is a positive integer, else WORKERS_PER_CPU × vCPUs; at most `loops`. */
export function workerCount(env: NodeJS.ProcessEnv, loops: number, cpus: () => number = availableCpus): number {
  const raw = env.AWS_LAMBDA_NODEJS_WORKER_COUNT?.trim();
  const configured = raw !== undefined && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
  return Math.max(1, Math.min(configured ?? WORKERS_PER_CPU * cpus(), loops));
}

/** `loops` split over `workers` as evenly as possible: the first ones get the ceiling, the rest the floor. */
export function loopShares(loops: number, workers: number): number[] {
  const base = Math.floor(loops / workers);
  const extra = loops % workers;
  return Array.from({ length: workers }, (_, index) => base + (index < extra ? 1 : 0));
}
