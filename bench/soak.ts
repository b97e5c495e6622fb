import type { Benchmark, BenchResult } from './lib/benchmark';
import { FloorServer } from './lib/floorServer';
import { InitProcess } from './lib/initProcess';
import { KeepAliveClient } from './lib/keepAliveClient';
import { scaled } from './lib/options';
import { processMemory, type ProcessMemory } from './lib/procStatus';
import { row, type Row, targetAtMost } from './lib/row';
import { runSequential } from './lib/sequentialRun';
import { summarize } from './lib/stats';

const INVOKE_PATH = '/2015-03-31/functions/function/invocations';
const INVOKES = scaled(10_000, 2_000);
/** Issue 13: the init's RSS after 10,000 invokes. */
const MAX_RSS_MB = 50;
/** Then this long without invokes: V8's memory reducer gives unused heap pages back after about 8 s of quiet. */
const IDLE_MS = 20_000;

/**
 * Memory after many invokes: a fresh init (freeze=auto, the default) and a fresh node:http echo server each answer
 * INVOKES sequential invokes from one keep-alive client; then VmRSS, VmHWM and RssAnon of each process alone, and
 * VmRSS again after a quiet while.
 */
export const soakBenchmark: Benchmark = {
  name: 'soak',
  async run(progress): Promise<BenchResult> {
    const floor = await FloorServer.start();
    const init = await InitProcess.start({ freeze: 'auto', extensions: 0 }).catch(async (error: unknown) => {
      await floor.stop();
      throw error;
    });
    let reference: Measured;
    let ours: Measured;
    try {
      progress(`soak: node:http echo x${INVOKES}`);
      const referenceBusy = await memoryAfterInvokes(floor.port, floor.pid);
      progress(`soak: init x${INVOKES}`);
      const oursBusy = await memoryAfterInvokes(init.invokePort, init.pid, () => init.output());
      progress(`soak: both idle for ${IDLE_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      reference = { ...referenceBusy, idle: processMemory(floor.pid) };
      ours = { ...oursBusy, idle: processMemory(init.pid, () => init.output()) };
    } finally {
      await Promise.all([floor.stop(), init.stop()]);
    }
    const rss = summarize([ours.rssMb]);
    const common = { benchmark: 'memory', case: `after ${INVOKES} invokes`, unit: 'MB', higherIsBetter: false } as const;
    const rows: Row[] = [
      row({
        ...common, metric: 'init VmRSS', ours: rss, reference: { label: 'node:http echo VmRSS', summary: summarize([reference.rssMb]) },
        target: targetAtMost(rss, MAX_RSS_MB, undefined, 'MB'),
      }),
      row({
        ...common, metric: `init VmRSS, ${IDLE_MS / 1000} s idle after`, ours: summarize([ours.idle.rssMb]),
        reference: { label: 'node:http echo VmRSS', summary: summarize([reference.idle.rssMb]) },
      }),
      row({
        ...common, metric: 'init VmHWM', ours: summarize([ours.hwmMb]),
        reference: { label: 'node:http echo VmHWM', summary: summarize([reference.hwmMb]) },
      }),
      // VmRSS less the Node binary's own pages: the part of the RSS that the init's work decides.
      row({
        ...common, metric: 'init RssAnon', ours: summarize([ours.anonMb]),
        reference: { label: 'node:http echo RssAnon', summary: summarize([reference.anonMb]) },
      }),
    ];
    return { rows, notes: [`soak: one fresh init (freeze=auto) and one fresh echo server, ${INVOKES} sequential invokes each, measured at once, and again after both had ${IDLE_MS / 1000} s or more without requests`] };
  },
};

type Measured = ProcessMemory & { idle: ProcessMemory };

/** INVOKES sequential invokes from one keep-alive client, then the server's memory. */
async function memoryAfterInvokes(port: number, pid: number, describe?: () => string): Promise<ProcessMemory> {
  const client = new KeepAliveClient(port);
  try {
    await runSequential(client, INVOKE_PATH, { warmup: INVOKES, count: 0, blockSize: INVOKES });
    return processMemory(pid, describe);
  } finally {
    client.close();
  }
}
