import { spawn } from 'node:child_process';
import { createFreezer, type FreezeStrategyName, type Freezer } from '../src/process/freezer';
import { FREEZING_STRATEGIES } from './lib/freezeStrategies';
import type { Benchmark, BenchResult } from './lib/benchmark';
import { rawRoundTrip } from './lib/rawFreeze';
import { row, type Row, targetAtMost } from './lib/row';
import { summarize } from './lib/stats';

const ROUNDS = 10;
const PER_ROUND = 100;
const WARMUP = 50;
const MAX_CGROUP_ROUND_TRIP_MS = 1;

/** A real Node process (several threads, a timer ticking) like the runtime the init freezes. */
const TICKER = "setInterval(() => {}, 5); process.stdout.write('ready\\n');";

interface Samples {
  roundTrip: number[];
  freeze: number[];
  thaw: number[];
}

/**
 * Freeze + thaw through the freezer module with one tracked Node child, per strategy. Reference: the raw control
 * file writes (or signals) with a busy-wait on the state, on the same cgroup and child, in alternating rounds.
 */
export const freezeThawBenchmark: Benchmark = {
  name: 'freeze',
  async run(progress): Promise<BenchResult> {
    const rows: Row[] = [];
    const notes: string[] = [];
    for (const strategy of FREEZING_STRATEGIES) {
      let reason = '';
      const freezer = await createFreezer(strategy, { name: 'lambda-sandbox-bench', log: (line) => (reason ||= line) });
      if (freezer.strategy !== strategy) {
        await freezer.dispose();
        notes.push(`freeze: ${strategy} skipped (${reason})`);
        continue;
      }
      progress(`freeze: ${strategy}`);
      try {
        rows.push(...strategyRows(strategy, ...(await measure(freezer))));
      } finally {
        await freezer.dispose();
      }
    }
    notes.push(`freeze: ${ROUNDS} rounds of ${PER_ROUND} round trips each for the freezer and for the raw reference, alternating`);
    return { rows, notes };
  },
};

async function measure(freezer: Freezer): Promise<[Samples, Samples]> {
  const wrapped = freezer.wrap(process.execPath, ['-e', TICKER]);
  const child = spawn(wrapped.command, wrapped.args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`the ticker process (${wrapped.command}) exited before it was ready`)));
    child.stdout?.once('data', () => resolve());
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the ticker process has no pid');
  freezer.track(pid);
  const raw = rawRoundTrip(freezer.strategy, freezer.cgroupDir, pid);
  const ours: Samples = { roundTrip: [], freeze: [], thaw: [] };
  const reference: Samples = { roundTrip: [], freeze: [], thaw: [] };
  try {
    for (let i = 0; i < WARMUP; i++) {
      await freezer.freeze();
      await freezer.thaw();
      raw.freeze();
      raw.thaw();
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < PER_ROUND; i++) {
        const t0 = performance.now();
        await freezer.freeze();
        const t1 = performance.now();
        await freezer.thaw();
        const t2 = performance.now();
        record(ours, t0, t1, t2);
      }
      for (let i = 0; i < PER_ROUND; i++) {
        const t0 = performance.now();
        raw.freeze();
        const t1 = performance.now();
        raw.thaw();
        const t2 = performance.now();
        record(reference, t0, t1, t2);
      }
    }
  } finally {
    await freezer.thaw().catch(() => undefined);
    freezer.untrack(pid);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
  return [ours, reference];
}

function record(into: Samples, t0: number, t1: number, t2: number): void {
  into.freeze.push(t1 - t0);
  into.thaw.push(t2 - t1);
  into.roundTrip.push(t2 - t0);
}

function strategyRows(strategy: FreezeStrategyName, ours: Samples, reference: Samples): Row[] {
  const isCgroup = strategy === 'cgroup2' || strategy === 'cgroup1';
  const label = strategy === 'none' ? 'no-op' : 'raw writes, busy-wait';
  const one = (metric: string, key: keyof Samples, withTarget: boolean): Row => {
    const summary = summarize(ours[key]);
    return row({
      benchmark: 'freeze/thaw',
      case: strategy,
      metric,
      unit: 'ms',
      higherIsBetter: false,
      ours: summary,
      reference: { label, summary: summarize(reference[key]) },
      showOverhead: true,
      ...(withTarget ? { target: targetAtMost(summary, MAX_CGROUP_ROUND_TRIP_MS, undefined, 'ms') } : {}),
    });
  };
  return [one('freeze+thaw', 'roundTrip', isCgroup), one('freeze', 'freeze', false), one('thaw', 'thaw', false)];
}
