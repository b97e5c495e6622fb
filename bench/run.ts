import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { coldStartBenchmark } from './coldStart';
import { freezeThawBenchmark } from './freezeThaw';
import type { Benchmark } from './lib/benchmark';
import { cpuBusyFraction } from './lib/cpuBusy';
import { INIT_FLAGS } from './lib/initProcess';
import { describeMachine } from './lib/machine';
import { NODE_BIN, NODE_VERSION } from './lib/nodeBinary';
import { OPTIONS } from './lib/options';
import { RIE_BIN } from './lib/rieProcess';
import { RESULTS_DIR } from './lib/paths';
import type { Row } from './lib/row';
import { renderTable } from './lib/table';
import { serviceBenchmark } from './service';
import { soakBenchmark } from './soak';
import { unpackBenchmark } from './unpack';
import { warmBenchmark } from './warm';

/** Above this share of all CPUs busy before the run, the wall-clock figures are flagged. */
const BUSY_FRACTION = 0.25;

const ALL: Benchmark[] = [warmBenchmark, coldStartBenchmark, soakBenchmark, unpackBenchmark, freezeThawBenchmark, serviceBenchmark];

const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

/**
 * `node dist/bench/run.js [--quick] [warm] [cold] [soak] [unpack] [freeze] [service]`: the named benchmarks, or all
 * of them. BENCH_NODE=<node binary> runs the init and its references under another Node; RIE_BIN=<aws-lambda-rie>
 * adds RIE.
 */
async function main(): Promise<void> {
  const wanted = OPTIONS.names;
  const unknown = wanted.filter((name) => !ALL.some((b) => b.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}: choose from ${ALL.map((b) => b.name).join(', ')}\n`);
    process.exit(2);
  }
  const selected = wanted.length === 0 ? ALL : ALL.filter((b) => wanted.includes(b.name));
  const machine = describeMachine();
  const started = new Date();
  const busyBefore = await cpuBusyFraction();
  const busy = busyBefore !== undefined && busyBefore > BUSY_FRACTION;
  const busyText = busyBefore === undefined ? 'unknown' : `${(busyBefore * 100).toFixed(0)}%`;
  if (busy) progress(`warning: the CPUs were ${busyText} busy before the run: other work will inflate the wall-clock figures`);
  const rows: Row[] = [];
  const notes: string[] = [];
  const failed: string[] = [];
  for (const benchmark of selected) {
    const t0 = performance.now();
    try {
      const result = await benchmark.run(progress);
      rows.push(...result.rows);
      notes.push(...result.notes);
    } catch (error) {
      // One broken benchmark should not throw away the others' figures; the run still ends with exit status 1.
      failed.push(benchmark.name);
      notes.push(`${benchmark.name}: FAILED: ${(error as Error).message ?? String(error)}`);
      progress(`${benchmark.name} failed: ${(error as Error).stack ?? String(error)}`);
    }
    progress(`${benchmark.name} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const seconds = (Date.now() - started.getTime()) / 1000;

  process.stdout.write(`\nlambda-sandbox benchmarks — ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGb} GB, ` +
    `Linux ${machine.kernel}; init on Node ${NODE_VERSION}${OPTIONS.quick ? '; QUICK mode' : ''}; ${seconds.toFixed(0)} s; ` +
    `CPUs ${busyText} busy in the second before the run${busy ? ' (BUSY: wall-clock figures are inflated)' : ''}\n\n`);
  process.stdout.write(renderTable(rows) + '\n\n');
  process.stdout.write('ratio = our p50 / reference p50 (for rates > 1 is faster; for times < 1 is faster); (+x) = p50 overhead over the reference.\n');
  process.stdout.write('For rates the p99 column is the 1st percentile (the slow tail).\n');
  process.stdout.write(`- the init runs as: node ${[...INIT_FLAGS, '<outDir>/src/main.js'].join(' ')} (flags from the image entrypoint), ` +
    `node = ${NODE_VERSION}${process.env.BENCH_NODE ? ' (BENCH_NODE)' : ''}; RIE: ${RIE_BIN ?? 'not available'}\n`);
  for (const note of notes) process.stdout.write(`- ${note}\n`);

  await fs.mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `bench-${started.toISOString().replace(/[:.]/g, '-')}-node${NODE_VERSION.replace(/^v(\d+).*/, '$1')}${OPTIONS.quick ? '-quick' : ''}.json`);
  await fs.writeFile(file, JSON.stringify({ startedAt: started.toISOString(), seconds, cpuBusyBefore: busyBefore, machine, initNode: { binary: NODE_BIN, version: NODE_VERSION }, initNodeFlags: INIT_FLAGS, quick: OPTIONS.quick, rie: RIE_BIN ?? null, failed, rows, notes }, null, 2) + '\n');
  process.stdout.write(`\nresults written to ${file}\n`);
  const missed = rows.filter((r) => r.target && !r.target.met);
  if (missed.length > 0) process.stdout.write(`${missed.length} target(s) missed: ${missed.map((r) => `${r.benchmark} ${r.case} ${r.metric}`).join('; ')}\n`);
  if (failed.length > 0) {
    process.stdout.write(`benchmark(s) failed: ${failed.join(', ')} (see the notes above)\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
