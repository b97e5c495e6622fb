import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildImage, DEFAULT_IMAGE_TAG } from '../src/host/buildImage';
import { connectDocker, imageExists } from '../src/host/dockerEngine';
import { startSandboxContainer } from '../src/host/startContainer';
import { DockerEngine } from '../src/service/engines/docker';
import { LambdaService } from '../src/service/service';
import { buildZip } from '../test/helpers/zipFiles';
import type { Benchmark, BenchResult } from './lib/benchmark';
import { KeepAliveClient } from './lib/keepAliveClient';
import { row, type Row } from './lib/row';
import { runSequential } from './lib/sequentialRun';
import { summarize } from './lib/stats';

const SEQUENTIAL = 300;
const BLOCK = 50;
const COLD_BURST = 8;
const COLD_ROUNDS = 3;
const CLIENTS = 8;
const THROUGHPUT_MS = 5000;
/** Firecracker's published creation rate: up to 5 microVMs per host core per second (firecracker-microvm.github.io). */
const FIRECRACKER_PER_CORE_PER_SECOND = 5;
const ECHO = 'exports.handler = async (event) => event;\n';

/**
 * `serve` against the environments it runs: the invoke overhead it adds (through serve vs straight to one
 * environment, sequential, warm), how fast it brings up environments for a burst of concurrent cold invokes, and
 * warm throughput with 8 concurrent clients. The image is LAMBDA_SANDBOX_BENCH_IMAGE, else lambda-sandbox:latest
 * (built when missing).
 */
export const serviceBenchmark: Benchmark = {
  name: 'service',
  async run(progress): Promise<BenchResult> {
    const docker = connectDocker();
    const image = process.env.LAMBDA_SANDBOX_BENCH_IMAGE || DEFAULT_IMAGE_TAG;
    if (!(await imageExists(docker, image))) {
      progress(`service: building ${image}`);
      await buildImage({ docker, tag: image });
    }
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-sandbox-bench-serve-'));
    const zipFile = path.join(dataDir, 'echo.zip');
    fs.writeFileSync(zipFile, await buildZip([{ name: 'index.js', data: ECHO }]));
    const service = await LambdaService.start({
      engine: new DockerEngine(docker), image, dataDir: path.join(dataDir, 'data'), host: '127.0.0.1', port: 0,
      place: { region: 'us-east-1', account: '123456789012' }, maxConcurrency: 32, keepAliveMs: 300_000,
      asyncRetryDelaysMs: [60_000, 120_000], shutdownGraceMs: 10_000, readyTimeoutMs: 120_000,
      onEnvironmentLine: () => undefined, log: (message) => progress(`service: ${message}`),
    });
    const port = Number(new URL(service.url).port);
    const sandbox = await startSandboxContainer({ docker, image, functionZip: zipFile, handler: 'index.handler' });
    try {
      const rows: Row[] = [];
      await createFunction(port, 'echo', zipFile);
      progress(`service: overhead, ${SEQUENTIAL} sequential warm invokes each`);
      const viaServe = new KeepAliveClient(port);
      const direct = new KeepAliveClient(sandbox.hostPort);
      const served = await runSequential(viaServe, '/2015-03-31/functions/echo/invocations', { warmup: 30, count: SEQUENTIAL, blockSize: BLOCK });
      const straight = await runSequential(direct, '/2015-03-31/functions/function/invocations', { warmup: 30, count: SEQUENTIAL, blockSize: BLOCK });
      rows.push(row({
        benchmark: 'service', case: 'warm invoke through serve', metric: 'latency', unit: 'ms', higherIsBetter: false,
        ours: summarize(served.latenciesMs), reference: { label: 'the environment directly', summary: summarize(straight.latenciesMs) },
        showOverhead: true,
      }));

      progress(`service: ${COLD_ROUNDS} bursts of ${COLD_BURST} concurrent cold invokes`);
      const rates: number[] = [];
      for (let round = 0; round < COLD_ROUNDS; round++) {
        const name = `cold${round}`;
        await createFunction(port, name, zipFile);
        const clients = Array.from({ length: COLD_BURST }, () => new KeepAliveClient(port));
        const started = performance.now();
        await Promise.all(clients.map((client, i) => invokeOk(client, name, i)));
        rates.push(COLD_BURST / ((performance.now() - started) / 1000));
        clients.forEach((client) => client.close());
        service.context.scheduler.retire(name, () => false);
      }
      const firecracker = FIRECRACKER_PER_CORE_PER_SECOND * os.cpus().length;
      rows.push(row({
        benchmark: 'service', case: `${COLD_BURST} concurrent cold invokes`, metric: 'environments started', unit: '/s', higherIsBetter: true,
        ours: summarize(rates, true),
        reference: { label: `Firecracker 5 microVMs/core/s x ${os.cpus().length} cores (published)`, summary: summarize([firecracker], true) },
      }));

      progress(`service: warm throughput, ${CLIENTS} clients for ${THROUGHPUT_MS} ms`);
      const many = Array.from({ length: CLIENTS }, () => new KeepAliveClient(port));
      await Promise.all(many.map((client, i) => invokeOk(client, 'echo', i)));
      const serveRate = await throughput(many, '/2015-03-31/functions/echo/invocations');
      const oneRate = await throughput([direct], '/2015-03-31/functions/function/invocations');
      rows.push(row({
        benchmark: 'service', case: `warm, ${CLIENTS} clients through serve`, metric: 'invokes', unit: '/s', higherIsBetter: true,
        ours: summarize(serveRate, true), reference: { label: 'one environment, 1 client, directly', summary: summarize(oneRate, true) },
      }));
      many.forEach((client) => client.close());
      viaServe.close();
      direct.close();
      return {
        rows,
        notes: [`service: image ${image}; environments are Docker containers published on 127.0.0.1; echo handler on the built-in Node.js runtime`],
      };
    } finally {
      await sandbox.close();
      await service.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

async function createFunction(port: number, name: string, zipFile: string): Promise<void> {
  const client = new KeepAliveClient(port);
  const body = Buffer.from(JSON.stringify({
    FunctionName: name, Runtime: 'nodejs24.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/bench', Timeout: 60,
    Code: { ZipFile: fs.readFileSync(zipFile).toString('base64') },
  }));
  const answer = await client.request('POST', '/2015-03-31/functions', body);
  if (answer.status !== 201) throw new Error(`CreateFunction answered ${answer.status}: ${answer.body.toString()}`);
  for (;;) {
    const got = JSON.parse((await client.request('GET', `/2015-03-31/functions/${name}/configuration`)).body.toString()) as { State: string };
    if (got.State === 'Active') break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  client.close();
}

async function invokeOk(client: KeepAliveClient, name: string, n: number): Promise<void> {
  const payload = Buffer.from(`{"n":${n}}`);
  const answer = await client.request('POST', `/2015-03-31/functions/${name}/invocations`, payload);
  if (answer.status !== 200 || !answer.body.equals(payload)) throw new Error(`invoke of ${name} answered ${answer.status}: ${answer.body.toString()}`);
}

/** Invokes per second over one-second windows, each client sending its next invoke when its answer is in. */
async function throughput(clients: KeepAliveClient[], urlPath: string): Promise<number[]> {
  const windows: number[] = [];
  let count = 0;
  const end = performance.now() + THROUGHPUT_MS;
  let windowStart = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    windows.push(count / ((now - windowStart) / 1000));
    count = 0;
    windowStart = now;
  }, 1000);
  await Promise.all(clients.map(async (client, i) => {
    while (performance.now() < end) {
      const payload = Buffer.from(`{"n":${i}}`);
      const answer = await client.request('POST', urlPath, payload);
      if (answer.status !== 200 || !answer.body.equals(payload)) throw new Error(`${urlPath} answered ${answer.status}: ${answer.body.toString()}`);
      count += 1;
    }
  }));
  clearInterval(tick);
  return windows.length > 0 ? windows : [count / (THROUGHPUT_MS / 1000)];
}
