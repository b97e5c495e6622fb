import type { Benchmark, BenchResult } from './lib/benchmark';
import { FloorServer } from './lib/floorServer';
import { probeStrategies } from './lib/freezeStrategies';
import { type FreezeSetting, InitProcess } from './lib/initProcess';
import { KeepAliveClient } from './lib/keepAliveClient';
import { scaled } from './lib/options';
import { RelayServer } from './lib/relayServer';
import { RIE_BIN, RieProcess } from './lib/rieProcess';
import { row, type Row, targetAtMost } from './lib/row';
import { runSequential, type SequentialRun } from './lib/sequentialRun';
import { statCpuMs } from './lib/statCpu';
import { summarize } from './lib/stats';

const INVOKE_PATH = '/2015-03-31/functions/function/invocations';
/** Issue 13 counts from the 51st invoke of a fresh init: the first few hundred are what a CI run sees (JIT warm-up). */
const WARMUP = 50;
const FLOOR_WARMUP = 3000;
/**
 * The first thousands of invokes of a fresh Node process pay for the optimizing compiler (on its background
 * threads, counted in the process's CPU): the relay and the best case are measured once more after this many.
 */
const WARMED_AFTER = 2000;
const COUNT = scaled(1000, 300);
const BLOCK = 100;
/** Issue 13's targets: p50 at most 2.5x the node:http floor; at most 0.5 ms of init CPU per invoke. */
const MAX_FLOOR_RATIO = 2.5;
const MAX_CPU_MS = 0.5;

/** A measured run plus the CPU time the server process used for it. */
interface Measured extends SequentialRun {
  /** Over the whole measured loop, from /proc/<pid>/stat utime+stime (10 ms resolution), ms per request. */
  statCpuMsPerRequest: number;
}

/** `warmup` requests, then COUNT measured ones in blocks, reading the server's CPU time around the measured loop. */
async function measure(client: KeepAliveClient, pid: number, warmup = WARMUP): Promise<Measured> {
  await runSequential(client, INVOKE_PATH, { warmup, count: 0, blockSize: BLOCK });
  const measured: Measured = { latenciesMs: [], blockRates: [], statCpuMsPerRequest: 0 };
  const statBefore = statCpuMs(pid);
  for (let done = 0; done < COUNT; done += BLOCK) {
    const block = await runSequential(client, INVOKE_PATH, { warmup: 0, count: BLOCK, blockSize: BLOCK });
    measured.latenciesMs.push(...block.latenciesMs);
    measured.blockRates.push(...block.blockRates);
  }
  measured.statCpuMsPerRequest = (statCpuMs(pid) - statBefore) / COUNT;
  return measured;
}

/** What answers the invokes: the init (freeze setting, extensions), the bare relay, or AWS's RIE. */
type Target = { kind: 'init'; freeze: FreezeSetting; extensions: number } | { kind: 'relay' } | { kind: 'rie' };

interface WarmCase {
  label: string;
  target: Target;
  /** Issue 13's targets apply with freezing on and no extension. */
  targets: boolean;
  /** Measured again after WARMED_AFTER more invokes, once the JIT has done its work. */
  warmed?: boolean;
}

interface Started {
  port: number;
  pid: number;
  /** Set when the init picked another freeze strategy than asked. */
  mismatch(): string | undefined;
  stop(): Promise<void>;
}

async function start(target: Target): Promise<Started> {
  if (target.kind === 'relay') {
    const relay = await RelayServer.start();
    return { port: relay.port, pid: relay.pid, mismatch: () => undefined, stop: () => relay.stop() };
  }
  if (target.kind === 'rie') {
    const rie = await RieProcess.start();
    return { port: rie.port, pid: rie.pid, mismatch: () => undefined, stop: () => rie.stop() };
  }
  const init = await InitProcess.start({ freeze: target.freeze, extensions: target.extensions });
  return {
    port: init.invokePort,
    pid: init.pid,
    mismatch: () => {
      const picked = init.freezeStrategy();
      return picked === target.freeze ? undefined : `the init reported freezer "${picked ?? 'nothing'}"`;
    },
    stop: () => init.stop(),
  };
}

function serverName(target: Target): string {
  return target.kind === 'init' ? 'init' : target.kind === 'relay' ? 'relay' : 'RIE';
}

/**
 * Warm invokes: the echo runtime behind a freshly started init, sequential invokes from one keep-alive client,
 * measured from the 51st. Before each case the same client runs the same number of requests against a plain
 * node:http echo server (the floor), so each case has its own reference taken moments before it. Extra cases: the
 * relay (the same three processes and messages without the init: the design's floor) and, with RIE_BIN, AWS's
 * Runtime Interface Emulator with the same runtime.
 */
export const warmBenchmark: Benchmark = {
  name: 'warm',
  async run(progress): Promise<BenchResult> {
    const notes: string[] = [];
    const strategies = await probeStrategies();
    const available = strategies.filter((s) => s.available).map((s) => s.strategy);
    for (const s of strategies) if (!s.available) notes.push(`warm: freeze=${s.strategy} skipped (${s.reason})`);
    if (RIE_BIN === undefined) notes.push('warm: RIE not available (set RIE_BIN to a built aws-lambda-rie to add its row)');
    const best = available[0];
    const init = (freeze: FreezeSetting, extensions: number): Target => ({ kind: 'init', freeze, extensions });
    const cases: WarmCase[] = [
      { label: 'relay, no init', target: { kind: 'relay' }, targets: false, warmed: true },
      ...(RIE_BIN === undefined ? [] : [{ label: 'AWS RIE', target: { kind: 'rie' } as Target, targets: false }]),
      { label: 'freeze=none', target: init('none', 0), targets: false },
      ...available.map((s): WarmCase => ({ label: `freeze=${s}`, target: init(s, 0), targets: true, warmed: s === best })),
      ...(best === undefined ? [] : [{ label: `freeze=${best} +1 ext`, target: init(best, 1), targets: false }]),
    ];

    const floor = await FloorServer.start();
    const floorClient = new KeepAliveClient(floor.port);
    const rows: Row[] = [];
    const rie: { latency?: number; rate?: number } = {};
    try {
      // A fresh floor would make the first case's reference look slow: warm both ends of it up once.
      await runSequential(floorClient, INVOKE_PATH, { warmup: FLOOR_WARMUP, count: 0, blockSize: BLOCK });
      for (const c of cases) {
        progress(`warm: ${c.label}: floor`);
        const reference = await measure(floorClient, floor.pid, 0);
        progress(`warm: ${c.label}`);
        const server = await start(c.target);
        const client = new KeepAliveClient(server.port);
        let ours: Measured;
        let warmed: Measured | undefined;
        try {
          ours = await measure(client, server.pid);
          if (c.warmed) warmed = await measure(client, server.pid, WARMED_AFTER);
          const mismatch = server.mismatch();
          if (mismatch) notes.push(`warm: ${c.label}: ${mismatch}`);
        } finally {
          client.close();
          await server.stop();
        }
        if (c.target.kind === 'rie') {
          rie.latency = summarize(ours.latenciesMs).p50;
          rie.rate = summarize(ours.blockRates, true).p50;
        }
        rows.push(...caseRows(c, ours, reference, rie));
        if (warmed) rows.push(...warmedRows(c, warmed, reference));
      }
    } finally {
      floorClient.close();
      await floor.stop();
    }
    notes.push(`warm: a fresh server per case; ${WARMUP} invokes, then ${COUNT} measured in blocks of ${BLOCK}; ` +
      `"warmed" rows: ${WARMED_AFTER} more invokes, then ${COUNT} measured again`);
    return { rows, notes };
  },
};

function caseRows(c: WarmCase, ours: Measured, reference: Measured, rie: { latency?: number; rate?: number }): Row[] {
  const latency = summarize(ours.latenciesMs);
  const rate = summarize(ours.blockRates, true);
  const floorLatency = summarize(reference.latenciesMs);
  const server = serverName(c.target);
  const latencyTarget = c.targets ? {
    text: `p50<=${MAX_FLOOR_RATIO}x floor${rie.latency === undefined ? '' : ' & < RIE'}`,
    met: latency.p50 <= MAX_FLOOR_RATIO * floorLatency.p50 && (rie.latency === undefined || latency.p50 < rie.latency),
  } : undefined;
  const rateTarget = c.targets && rie.rate !== undefined ? { text: '>= RIE', met: rate.p50 >= rie.rate } : undefined;
  const cpu = summarize([ours.statCpuMsPerRequest]);
  return [
    row({
      benchmark: 'warm invoke', case: c.label, metric: 'latency', unit: 'ms', higherIsBetter: false, ours: latency,
      reference: { label: 'node:http echo', summary: floorLatency }, showOverhead: true,
      ...(latencyTarget ? { target: latencyTarget } : {}),
    }),
    row({
      benchmark: 'warm invoke', case: c.label, metric: 'throughput', unit: 'invokes/s', higherIsBetter: true, ours: rate,
      reference: { label: 'node:http echo', summary: summarize(reference.blockRates, true) },
      note: `per block of ${BLOCK} sequential invokes; p99 column = 1st percentile (slowest blocks)`,
      ...(rateTarget ? { target: rateTarget } : {}),
    }),
    row({
      benchmark: 'warm invoke', case: c.label, metric: `${server} CPU/invoke`, unit: 'ms', higherIsBetter: false,
      ours: cpu, reference: { label: 'node:http echo CPU/req', summary: summarize([reference.statCpuMsPerRequest]) },
      showOverhead: true,
      note: `utime+stime of the ${server} process (/proc/<pid>/stat) over the ${COUNT} measured invokes, per invoke`,
      ...(c.target.kind === 'init' ? { target: targetAtMost(cpu, MAX_CPU_MS, undefined, 'ms') } : {}),
    }),
  ];
}

/** The same server after WARMED_AFTER more invokes: what a long-running environment costs per invoke. */
function warmedRows(c: WarmCase, warmed: Measured, reference: Measured): Row[] {
  const server = serverName(c.target);
  return [
    row({
      benchmark: 'warm invoke', case: c.label, metric: 'latency, warmed', unit: 'ms', higherIsBetter: false,
      ours: summarize(warmed.latenciesMs), reference: { label: 'node:http echo', summary: summarize(reference.latenciesMs) },
      showOverhead: true,
    }),
    row({
      benchmark: 'warm invoke', case: c.label, metric: `${server} CPU/invoke, warmed`, unit: 'ms', higherIsBetter: false,
      ours: summarize([warmed.statCpuMsPerRequest]),
      reference: { label: 'node:http echo CPU/req', summary: summarize([reference.statCpuMsPerRequest]) }, showOverhead: true,
      note: `after ${WARMED_AFTER} more invokes than the row above`,
    }),
  ];
}
