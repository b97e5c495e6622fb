import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Benchmark, BenchResult } from './lib/benchmark';
import { functionZips } from './lib/functionZips';
import { InitProcess, type InitOptions } from './lib/initProcess';
import { oneShot } from './lib/keepAliveClient';
import { NODE_BIN } from './lib/nodeBinary';
import { scaled } from './lib/options';
import { processMemory } from './lib/procStatus';
import { RelayServer } from './lib/relayServer';
import { row, type Row } from './lib/row';
import { summarize, type Summary } from './lib/stats';
import { waitFor200 } from './lib/waitFor';

const INVOKE_PATH = '/2015-03-31/functions/function/invocations';
const RUNS = scaled(20, 5);
/** Readiness is polled this often; it bounds the resolution of the "ready" figures (ours and the reference's). */
const POLL_MS = 2;
/** Issue 13: spawn to first answered invoke at most twice `node -e 0`. */
const MAX_NODE_RATIO = 2;

interface ColdSample {
  readyMs: number;
  firstInvokeMs: number;
  rssMb: number;
  hwmMb: number;
}

/** The freeze strategies the init reported picking (LAMBDA_SANDBOX_FREEZE=auto, the default). */
const strategies = new Set<string>();

/**
 * Cold start: from spawning the init to the first invoke answered (and to GET /healthz answering 200 on the way).
 * Issue 13's cases: the function from a zip the init unpacks, run by the built-in Node.js runtime and by a custom
 * runtime (the echo runtime as `bootstrap`), against `node -e 0` (spawn to exit) of the same Node binary. Also the
 * echo runtime already in the task root, with no and two extensions, against the relay (a bare Runtime API in
 * plain node:http spawned with the same runtime): two Node processes started one after the other.
 */
export const coldStartBenchmark: Benchmark = {
  name: 'cold',
  async run(progress): Promise<BenchResult> {
    const rows: Row[] = [];
    progress(`cold: node -e 0 x${RUNS}`);
    const nodeSamples: number[] = [];
    for (let i = 0; i < RUNS; i++) nodeSamples.push(await nodeStart());
    const node = summarize(nodeSamples);
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'lambda-sandbox-bench-fn-'));
    try {
      for (const zip of await functionZips(work)) {
        progress(`cold: ${zip.label} x${RUNS}`);
        const samples: ColdSample[] = [];
        for (let i = 0; i < RUNS; i++) samples.push(await initColdStart({ freeze: 'auto', extensions: 0, functionZip: zip.file, handler: zip.handler }));
        const first = pick(samples, 'firstInvokeMs');
        rows.push(row({
          benchmark: 'cold start', case: zip.label, metric: 'spawn to 1st invoke', unit: 'ms', higherIsBetter: false,
          ours: first, reference: { label: 'node -e 0', summary: node }, showOverhead: true,
          target: { text: `p50<=${MAX_NODE_RATIO}x node -e 0`, met: first.p50 <= MAX_NODE_RATIO * node.p50 },
        }));
      }
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }

    progress(`cold: relay x${RUNS}`);
    const floor: ColdSample[] = [];
    for (let i = 0; i < RUNS; i++) floor.push(await relayColdStart());
    for (const extensions of [0, 2]) {
      const label = `bootstrap in task root, ${extensions === 0 ? 'no extensions' : `${extensions} extensions`}`;
      progress(`cold: ${label} x${RUNS}`);
      const samples: ColdSample[] = [];
      for (let i = 0; i < RUNS; i++) samples.push(await initColdStart({ freeze: 'auto', extensions }));
      rows.push(
        row({
          benchmark: 'cold start', case: label, metric: 'spawn to ready', unit: 'ms', higherIsBetter: false,
          ours: pick(samples, 'readyMs'), reference: { label: 'relay + runtime ready', summary: pick(floor, 'readyMs') }, showOverhead: true,
        }),
        row({
          benchmark: 'cold start', case: label, metric: 'spawn to 1st invoke', unit: 'ms', higherIsBetter: false,
          ours: pick(samples, 'firstInvokeMs'), reference: { label: 'relay 1st answer', summary: pick(floor, 'firstInvokeMs') }, showOverhead: true,
        }),
        rssRow(label, samples, floor),
      );
    }
    return {
      rows,
      notes: [`cold: ${RUNS} starts each; readiness polled every ${POLL_MS} ms on a new connection; ` +
        `freeze=auto (the init picked ${[...strategies].join(', ')}); runtimes and extensions are Node scripts (bench/fixtures)`],
    };
  },
};

function pick(from: ColdSample[], key: keyof ColdSample): Summary {
  return summarize(from.map((s) => s[key]));
}

function rssRow(label: string, samples: ColdSample[], floor: ColdSample[]): Row {
  return row({
    benchmark: 'cold start', case: label, metric: 'init VmRSS after 1st', unit: 'MB', higherIsBetter: false,
    ours: pick(samples, 'rssMb'), reference: { label: 'relay VmRSS', summary: pick(floor, 'rssMb') },
  });
}

/** Spawn to exit of `node -e 0`: the least a Node process costs here. */
function nodeStart(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE_BIN, ['-e', '0'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - started));
  });
}

async function firstInvoke(port: number, started: number, describe: () => string): Promise<number> {
  const payload = Buffer.from('{"cold":true}');
  const answer = await oneShot(port, 'POST', INVOKE_PATH, payload);
  if (answer.status !== 200 || !answer.body.equals(payload)) {
    throw new Error(`first invoke answered ${answer.status}: ${answer.body.toString()}\n${describe()}`);
  }
  return performance.now() - started;
}

async function initColdStart(options: InitOptions): Promise<ColdSample> {
  const prepared = await InitProcess.prepare(options);
  const started = performance.now();
  const init = InitProcess.spawn(prepared);
  try {
    await init.waitReady(POLL_MS);
    const readyMs = performance.now() - started;
    const firstInvokeMs = await firstInvoke(init.invokePort, started, () => init.output());
    strategies.add(init.freezeStrategy() ?? 'not reported');
    return { readyMs, firstInvokeMs, ...processMemory(init.pid, () => init.output()) };
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
