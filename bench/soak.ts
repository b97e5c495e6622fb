import * as fs from 'node:fs';
import { InitProcess } from './lib/initProcess';
import { KeepAliveClient } from './lib/keepAliveClient';
import { describeMachine } from './lib/machine';
import { processMemory } from './lib/procStatus';

/**
 * Soak: thousands of warm invokes against one fresh init, with and without an INVOKE extension, sampling the init's
 * and the runtime's RSS and open file descriptors at intervals. Flat columns mean nothing leaks per invoke.
 *
 *   npm run build && node dist/bench/soak.js [invokes=10000] [samples=10]
 */

const INVOKE_PATH = '/2015-03-31/functions/function/invocations';

interface Sample {
  invokes: number;
  seconds: number;
  initRssMb: number;
  initFds: number;
  runtimeRssMb: number;
  runtimeFds: number;
}

const fdCount = (pid: number): number => fs.readdirSync(`/proc/${pid}/fd`).length;

/** The init's child that is not an extension: the runtime (the echo bootstrap). */
function runtimePid(init: number): number {
  const children = fs.readFileSync(`/proc/${init}/task/${init}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
  const runtime = children.find((pid) => !fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('keepalive-ext'));
  if (runtime === undefined) throw new Error(`no runtime among the init's children ${children.join(', ')}`);
  return runtime;
}

function sample(init: InitProcess, invokes: number, started: number): Sample {
  const runtime = runtimePid(init.pid);
  return {
    invokes,
    seconds: (performance.now() - started) / 1000,
    initRssMb: processMemory(init.pid).rssMb,
    initFds: fdCount(init.pid),
    runtimeRssMb: processMemory(runtime).rssMb,
    runtimeFds: fdCount(runtime),
  };
}

async function soak(extensions: number, invokes: number, samples: number): Promise<Sample[]> {
  const init = await InitProcess.start({ freeze: 'auto', extensions });
  const client = new KeepAliveClient(init.invokePort);
  const body = Buffer.from('{"soak":true}');
  const every = Math.max(1, Math.floor(invokes / samples));
  const started = performance.now();
  const taken: Sample[] = [sample(init, 0, started)];
  try {
    for (let i = 1; i <= invokes; i++) {
      const answer = await client.request('POST', INVOKE_PATH, body);
      if (answer.status !== 200) throw new Error(`invoke ${i} answered ${answer.status}: ${answer.body.toString()}`);
      if (i % every === 0) taken.push(sample(init, i, started));
    }
  } finally {
    client.close();
    await init.stop();
  }
  return taken;
}

function table(title: string, rows: Sample[]): string {
  const head = '| invokes | seconds | init RSS MB | init fds | runtime RSS MB | runtime fds |';
  const rule = '|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => `| ${r.invokes} | ${r.seconds.toFixed(1)} | ${r.initRssMb.toFixed(1)} | ${r.initFds} | ${r.runtimeRssMb.toFixed(1)} | ${r.runtimeFds} |`);
  const first = rows[Math.min(1, rows.length - 1)];
  const last = rows[rows.length - 1];
  const growth = `init RSS ${first.initRssMb.toFixed(1)} → ${last.initRssMb.toFixed(1)} MB, fds ${first.initFds} → ${last.initFds}; ` +
    `runtime RSS ${first.runtimeRssMb.toFixed(1)} → ${last.runtimeRssMb.toFixed(1)} MB, fds ${first.runtimeFds} → ${last.runtimeFds}`;
  return [`### ${title}`, '', head, rule, ...lines, '', `From the first sample after warm-up to the last: ${growth}.`, ''].join('\n');
}

async function main(): Promise<void> {
  const invokes = Number(process.argv[2] ?? 10_000);
  const samples = Number(process.argv[3] ?? 10);
  if (!Number.isInteger(invokes) || invokes < 1 || !Number.isInteger(samples) || samples < 1) {
    throw new Error('usage: node dist/bench/soak.js [invokes (a positive integer)] [samples (a positive integer)]');
  }
  const machine = describeMachine();
  process.stdout.write(`soak: ${invokes} invokes per case on ${JSON.stringify(machine)}\n\n`);
  process.stdout.write(table('no extension', await soak(0, invokes, samples)) + '\n');
  process.stdout.write(table('one INVOKE extension', await soak(1, invokes, samples)) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`soak: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
