import type { KeepAliveClient } from './keepAliveClient';

export interface SequentialRun {
  /** One latency per request, ms. */
  latenciesMs: number[];
  /** Requests per second within each block of consecutive requests. */
  blockRates: number[];
}

/**
 * `warmup` unmeasured requests, then `count` measured ones, each sent when the previous answer has arrived. Every
 * answer must be 200 and echo the payload, so a broken path cannot pass for a fast one.
 */
export async function runSequential(
  client: KeepAliveClient,
  urlPath: string,
  options: { warmup: number; count: number; blockSize: number },
): Promise<SequentialRun> {
  const latenciesMs: number[] = [];
  const blockRates: number[] = [];
  let blockStart = 0;
  for (let i = -options.warmup; i < options.count; i++) {
    const payload = Buffer.from(`{"n":${i}}`);
    if (i === 0) blockStart = performance.now();
    const started = performance.now();
    const answer = await client.request('POST', urlPath, payload);
    const ended = performance.now();
    if (answer.status !== 200 || !answer.body.equals(payload)) {
      throw new Error(`request ${i} to ${urlPath} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
    }
    if (i < 0) continue;
    latenciesMs.push(ended - started);
    if ((i + 1) % options.blockSize === 0) {
      blockRates.push(options.blockSize / ((ended - blockStart) / 1000));
      blockStart = ended;
    }
  }
  return { latenciesMs, blockRates };
}
