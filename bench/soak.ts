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

/**
 * Memory after many invokes: a fresh init (freeze=auto, the default) and a fresh node:http echo server each answer
 * INVOKES sequential invokes from one keep-alive client; then VmRSS and VmHWM of each process alone.
 */
export const soakBenchmark: Benchmark = {
  name: 'soak',
  async run(progress): Promise<BenchResult> {
    progress(`soak: node:http echo x${INVOKES}`);
    const reference = await memoryAfterInvokes(await FloorServer.start().then((f) => ({ port: f.port, pid: f.pid, stop: () => f.stop() })));
    progress(`soak: init x${INVOKES}`);
    const ours = await memoryAfterInvokes(await InitProcess.start({ freeze: 'auto', extensions: 0 })
      .then((i) => ({ port: i.invokePort, pid: i.pid, stop: () => i.stop() })));
    const rss = summarize([ours.rssMb]);
    const common = { benchmark: 'memory', case: `after ${INVOKES} invokes`, unit: 'MB', higherIsBetter: false } as const;
    const rows: Row[] = [
      row({
        ...common, metric: 'init VmRSS', ours: rss, reference: { label: 'node:http echo VmRSS', summary: summarize([reference.rssMb]) },
        target: targetAtMost(rss, MAX_RSS_MB, undefined, 'MB'),
      }),
      row({
        ...common, metric: 'init VmHWM', ours: summarize([ours.hwmMb]),
        reference: { label: 'node:http echo VmHWM', summary: summarize([reference.hwmMb]) },
      }),
    ];
    return { rows, notes: [`soak: one fresh init (freeze=auto) and one fresh echo server, ${INVOKES} sequential invokes each`] };
  },
};

/** INVOKES sequential invokes from one keep-alive client, then the server's memory; the server is stopped. */
async function memoryAfterInvokes(server: { port: number; pid: number; stop(): Promise<void> }): Promise<ProcessMemory> {
  const client = new KeepAliveClient(server.port);
  try {
    await runSequential(client, INVOKE_PATH, { warmup: INVOKES, count: 0, blockSize: INVOKES });
    return processMemory(server.pid);
  } finally {
    client.close();
    await server.stop();
  }
}
