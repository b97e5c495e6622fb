import type { Benchmark, BenchResult } from './lib/benchmark';
import { cpuTimeMs } from './lib/cpuTime';
import { FloorServer } from './lib/floorServer';
import { probeStrategies } from './lib/freezeStrategies';
import { type FreezeSetting, InitProcess } from './lib/initProcess';
import { KeepAliveClient } from './lib/keepAliveClient';
import { processMemory } from './lib/procStatus';
import { RelayServer } from './lib/relayServer';
import { row, type Row, targetAtMost } from './lib/row';
import { runSequential, type SequentialRun } from './lib/sequentialRun';
import { summarize } from './lib/stats';

const INVOKE_PATH = '/2015-03-31/functions/function/invocations';
const WARMUP = 300;
const FLOOR_WARMUP = 3000;
const COUNT = 2000;
const BLOCK = 250;
const MIN_INVOKES_PER_SECOND = 1000;
const MAX_RSS_MB = 80;

/** A measured run plus the CPU time the server process used for it (ms per request). */
interface Measured extends SequentialRun {
  cpuMsPerRequest: number[];
}

/** Runs the requests in blocks, reading the server's CPU time around each block. */
async function measure(client: KeepAliveClient, pid: number): Promise<Measured> {
  await runSequential(client, INVOKE_PATH, { warmup: WARMUP, count: 0, blockSize: BLOCK });
  const measured: Measured = { latenciesMs: [], blockRates: [], cpuMsPerRequest: [] };
  for (let done = 0; done < COUNT; done += BLOCK) {
    const before = cpuTimeMs(pid);
    const block = await runSequential(client, INVOKE_PATH, { warmup: 0, count: BLOCK, blockSize: BLOCK });
    measured.cpuMsPerRequest.push((cpuTimeMs(pid) - before) / BLOCK);
    measured.latenciesMs.push(...block.latenciesMs);
    measured.blockRates.push(...block.blockRates);
  }
  return measured;
}

/** What answers the invokes: the init with a freeze setting and extensions, or the bare relay (no init). */
type Target = { kind: 'init'; freeze: FreezeSetting; extensions: number } | { kind: 'relay' };

interface WarmCase {
  label: string;
  target: Target;
  /** The targets apply with freezing on and no extension. */
  targets: boolean;
}

interface Started {
  port: number;
  pid: number;
  /** Memory of the process that plays the init's part, read before stopping. */
  peakMb(): number;
  /** Set when the init picked another freeze strategy than asked. */
  mismatch(): string | undefined;
  stop(): Promise<void>;
}

async function start(target: Target): Promise<Started> {
  if (target.kind === 'relay') {
    const relay = await RelayServer.start();
    return { port: relay.port, pid: relay.pid, peakMb: () => processMemory(relay.pid).hwmMb, mismatch: () => undefined, stop: () => relay.stop() };
  }
  const init = await InitProcess.start({ freeze: target.freeze, extensions: target.extensions });
  return {
    port: init.invokePort,
    pid: init.pid,
    peakMb: () => processMemory(init.pid).hwmMb,
    mismatch: () => {
      const picked = init.freezeStrategy();
      return picked === target.freeze ? undefined : `the init reported freezer "${picked ?? 'nothing'}"`;
    },
    stop: () => init.stop(),
  };
}

/**
 * Warm invokes: the echo runtime behind the init, sequential invokes from one keep-alive client. Before each case
 * the same client runs the same number of requests against a plain node:http echo server (the floor), so each
 * case has its own reference taken moments before it. The first case is the relay: the same three processes and
 * messages without the init (the architecture's floor), to tell the design's cost from our code's.
 */
export const warmBenchmark: Benchmark = {
  name: 'warm',
  async run(progress): Promise<BenchResult> {
    const notes: string[] = [];
    const strategies = await probeStrategies();
    const available = strategies.filter((s) => s.available).map((s) => s.strategy);
    for (const s of strategies) if (!s.available) notes.push(`warm: freeze=${s.strategy} skipped (${s.reason})`);
    const best = available[0];
    const init = (freeze: FreezeSetting, extensions: number): Target => ({ kind: 'init', freeze, extensions });
    const cases: WarmCase[] = [
      { label: 'relay, no init', target: { kind: 'relay' }, targets: false },
      { label: 'freeze=none', target: init('none', 0), targets: false },
      { label: 'freeze=none +1 ext', target: init('none', 1), targets: false },
      ...available.map((s): WarmCase => ({ label: `freeze=${s}`, target: init(s, 0), targets: true })),
      ...(best === undefined ? [] : [{ label: `freeze=${best} +1 ext`, target: init(best, 1), targets: false }]),
    ];

    const floor = await FloorServer.start();
    const floorClient = new KeepAliveClient(floor.port);
    const rows: Row[] = [];
    const initPeaks: number[] = [];
    const floorPeaks: number[] = [];
    try {
      // A fresh floor would make the first case's reference look slow: warm both ends of it up once.
      await runSequential(floorClient, INVOKE_PATH, { warmup: FLOOR_WARMUP, count: 0, blockSize: BLOCK });
      for (const c of cases) {
        progress(`warm: ${c.label}: floor`);
        const reference = await measure(floorClient, floor.pid);
        progress(`warm: ${c.label}`);
        const server = await start(c.target);
        const client = new KeepAliveClient(server.port);
        let ours: Measured;
        try {
          ours = await measure(client, server.pid);
          const mismatch = server.mismatch();
          if (mismatch) notes.push(`warm: ${c.label}: ${mismatch}`);
          if (c.target.kind === 'init') {
            initPeaks.push(server.peakMb());
            floorPeaks.push(processMemory(floor.pid).hwmMb);
          }
        } finally {
          client.close();
          await server.stop();
        }
        rows.push(...caseRows(c, ours, reference));
      }
      const peak = summarize(initPeaks);
      rows.push(row({
        benchmark: 'warm invoke',
        case: 'all init cases above',
        metric: 'init VmHWM after',
        unit: 'MB',
        higherIsBetter: false,
        ours: peak,
        reference: { label: 'node:http echo VmHWM', summary: summarize(floorPeaks) },
        note: `peak RSS of the init process after ${WARMUP + COUNT} invokes, one sample per case`,
        target: targetAtMost(peak, MAX_RSS_MB, MAX_RSS_MB, 'MB'),
      }));
    } finally {
      floorClient.close();
      await floor.stop();
    }
    return { rows, notes };
  },
};

function caseRows(c: WarmCase, ours: Measured, reference: Measured): Row[] {
  const latency = summarize(ours.latenciesMs);
  const rate = summarize(ours.blockRates, true);
  const server = c.target.kind === 'relay' ? 'relay' : 'init';
  return [
    row({
      benchmark: 'warm invoke',
      case: c.label,
      metric: 'latency',
      unit: 'ms',
      higherIsBetter: false,
      ours: latency,
      reference: { label: 'node:http echo', summary: summarize(reference.latenciesMs) },
      showOverhead: true,
      ...(c.targets ? { target: targetAtMost(latency, 1, 3, 'ms') } : {}),
    }),
    row({
      benchmark: 'warm invoke',
      case: c.label,
      metric: 'throughput',
      unit: 'invokes/s',
      higherIsBetter: true,
      ours: rate,
      reference: { label: 'node:http echo', summary: summarize(reference.blockRates, true) },
      note: `per block of ${BLOCK} sequential invokes; p99 column = 1st percentile (slowest blocks)`,
      ...(c.targets ? { target: { text: `p50>=${MIN_INVOKES_PER_SECOND}/s`, met: rate.p50 >= MIN_INVOKES_PER_SECOND } } : {}),
    }),
    row({
      benchmark: 'warm invoke',
      case: c.label,
      metric: `${server} CPU/invoke`,
      unit: 'ms',
      higherIsBetter: false,
      ours: summarize(ours.cpuMsPerRequest),
      reference: { label: 'node:http echo CPU/req', summary: summarize(reference.cpuMsPerRequest) },
      showOverhead: true,
      note: `CPU time of the ${server} process alone (all threads), per invoke, per block of ${BLOCK}; not inflated by other load`,
    }),
  ];
}
