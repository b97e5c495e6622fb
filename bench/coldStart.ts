import type { Benchmark, BenchResult } from './lib/benchmark';
import { InitProcess } from './lib/initProcess';
import { oneShot } from './lib/keepAliveClient';
import { processMemory } from './lib/procStatus';
import { RelayServer } from './lib/relayServer';
import { row, type Row, targetAtMost } from './lib/row';
import { summarize } from './lib/stats';
import { waitFor200 } from './lib/waitFor';

const INVOKE_PATH = '/2015-03-31/functions/function/invocations';
const RUNS = 20;
/** Readiness is polled this often; it bounds the resolution of the "ready" figures (ours and the reference's). */
const POLL_MS = 2;
const MAX_READY_MS = 150;
const MAX_RSS_MB = 80;

interface ColdSample {
  readyMs: number;
  firstInvokeMs: number;
  rssMb: number;
  hwmMb: number;
}

/** The freeze strategies the init reported picking (LAMBDA_SANDBOX_FREEZE=auto, the default). */
const strategies = new Set<string>();

/**
 * Cold start: from spawning the init to GET /healthz answering 200 (Init done: the runtime and every extension
 * wait in next), then to the first invoke answered. Reference: the relay (a bare Runtime API in plain node:http)
 * spawned with the same echo runtime, to the runtime waiting in next and its first answer: the cost of starting
 * two Node processes one after the other. RSS is of the init process alone (not the runtime or extensions).
 */
export const coldStartBenchmark: Benchmark = {
  name: 'cold',
  async run(progress): Promise<BenchResult> {
    progress(`cold: relay x${RUNS}`);
    const floor: ColdSample[] = [];
    for (let i = 0; i < RUNS; i++) floor.push(await relayColdStart());
    const rows: Row[] = [];
    for (const extensions of [0, 2]) {
      progress(`cold: init with ${extensions} extensions x${RUNS}`);
      const samples: ColdSample[] = [];
      for (let i = 0; i < RUNS; i++) samples.push(await initColdStart(extensions));
      rows.push(...coldRows(extensions, samples, floor));
    }
    return {
      rows,
      notes: [`cold: ${RUNS} starts each; readiness polled every ${POLL_MS} ms on a new connection; ` +
        `freeze=auto (the init picked ${[...strategies].join(', ')}); runtime and extensions are Node scripts (bench/fixtures); ` +
        'the reference has no extensions'],
    };
  },
};

async function firstInvoke(port: number, started: number, describe: () => string): Promise<number> {
  const payload = Buffer.from('{"cold":true}');
  const answer = await oneShot(port, 'POST', INVOKE_PATH, payload);
  if (answer.status !== 200 || !answer.body.equals(payload)) {
    throw new Error(`first invoke answered ${answer.status}: ${answer.body.toString()}\n${describe()}`);
  }
  return performance.now() - started;
}

async function initColdStart(extensions: number): Promise<ColdSample> {
  const prepared = await InitProcess.prepare({ freeze: 'auto', extensions });
  const started = performance.now();
  const init = InitProcess.spawn(prepared);
  try {
    await init.waitReady(POLL_MS);
    const readyMs = performance.now() - started;
    const firstInvokeMs = await firstInvoke(init.invokePort, started, () => init.output());
    strategies.add(init.freezeStrategy() ?? 'not reported');
    return { readyMs, firstInvokeMs, ...processMemory(init.pid) };
  } finally {
    await init.stop();
  }
}

async function relayColdStart(): Promise<ColdSample> {
  const started = performance.now();
  const relay = await RelayServer.start();
  try {
    await waitFor200(relay.port, '/healthz', {
      timeoutMs: 10_000, pollMs: POLL_MS, stillRunning: () => relay.running, describe: () => 'the relay or its runtime exited',
    });
    const readyMs = performance.now() - started;
    const firstInvokeMs = await firstInvoke(relay.port, started, () => 'relay');
    return { readyMs, firstInvokeMs, ...processMemory(relay.pid) };
  } finally {
    await relay.stop();
  }
}

function coldRows(extensions: number, samples: ColdSample[], floor: ColdSample[]): Row[] {
  const label = extensions === 0 ? 'no extensions' : `${extensions} extensions`;
  const pick = (from: ColdSample[], key: keyof ColdSample): ReturnType<typeof summarize> => summarize(from.map((s) => s[key]));
  const ready = pick(samples, 'readyMs');
  const rss = pick(samples, 'rssMb');
  const hwm = pick(samples, 'hwmMb');
  const common = { benchmark: 'cold start', case: label, higherIsBetter: false } as const;
  return [
    row({
      ...common, metric: 'spawn to ready', unit: 'ms', ours: ready, showOverhead: true,
      reference: { label: 'relay + runtime ready', summary: pick(floor, 'readyMs') },
      ...(extensions === 0 ? { target: targetAtMost(ready, MAX_READY_MS, undefined, 'ms') } : {}),
    }),
    row({
      ...common, metric: 'spawn to 1st invoke', unit: 'ms', ours: pick(samples, 'firstInvokeMs'), showOverhead: true,
      reference: { label: 'relay 1st answer', summary: pick(floor, 'firstInvokeMs') },
    }),
    row({
      ...common, metric: 'init VmRSS', unit: 'MB', ours: rss,
      reference: { label: 'relay VmRSS', summary: pick(floor, 'rssMb') },
      target: targetAtMost(rss, MAX_RSS_MB, undefined, 'MB'),
    }),
    row({
      ...common, metric: 'init VmHWM', unit: 'MB', ours: hwm,
      reference: { label: 'relay VmHWM', summary: pick(floor, 'hwmMb') },
      target: targetAtMost(hwm, MAX_RSS_MB, undefined, 'MB'),
    }),
  ];
}
