import * as os from 'node:os';
import * as path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type * as WorkerThreads from 'node:worker_threads';
import { type BatchEntry, extractBatch, type BatchResult } from './batchExtract';
import type { BatchMessage } from './extractWorker';
import { SyncWindowReader } from './syncWindowReader';

/** Runs batches of small files: on worker threads for big zips, inline (yielding between batches) for small ones. */
export interface BatchRunner {
  /** Batches worth keeping in flight. */
  readonly parallelism: number;
  run(fd: number, size: number, entries: BatchEntry[]): Promise<BatchResult>;
  close(): Promise<void>;
}

const MAX_WORKERS = 4;

/** Runs batches on the calling thread; each batch is a few milliseconds, then the event loop gets a turn. */
export class InlineRunner implements BatchRunner {
  readonly parallelism = 1;
  private reader: SyncWindowReader | undefined;

  constructor(private readonly umask: number) {}

  async run(fd: number, size: number, entries: BatchEntry[]): Promise<BatchResult> {
    await nextTurn();
    if (this.reader === undefined || this.reader.fd !== fd) this.reader = new SyncWindowReader(fd, size);
    return extractBatch(this.reader, entries, this.umask);
  }

  async close(): Promise<void> {
    this.reader = undefined;
  }
}

interface Pending {
  resolve: (result: BatchResult) => void;
  reject: (err: Error) => void;
}

/** One worker per core (up to 4); a batch goes to the worker with the fewest batches queued. */
export class WorkerRunner implements BatchRunner {
  readonly parallelism: number;
  private readonly workers: Array<{ worker: WorkerThreads.Worker; pending: Pending[] }>;

  constructor(umask: number) {
    // Loaded here, not at the top: a small zip is extracted inline, and node:worker_threads costs ~10 ms of a cold start.
    const { Worker }: typeof WorkerThreads = require('node:worker_threads');
    const count = Math.max(1, Math.min(MAX_WORKERS, os.availableParallelism()));
    this.parallelism = count * 2;
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(path.join(__dirname, 'extractWorker.js'), { workerData: { umask } });
      const slot = { worker, pending: [] as Pending[] };
      worker.on('message', (result: BatchResult) => slot.pending.shift()?.resolve(result));
      const failAll = (err: Error): void => {
        for (const pending of slot.pending.splice(0)) pending.reject(err);
      };
      worker.on('error', (err) => failAll(new Error(`an extraction worker failed: ${err.message}`)));
      worker.on('exit', (code) => failAll(new Error(`an extraction worker exited with code ${code}`)));
      return slot;
    });
  }

  run(fd: number, size: number, entries: BatchEntry[]): Promise<BatchResult> {
    const slot = this.workers.reduce((a, b) => (b.pending.length < a.pending.length ? b : a));
    return new Promise((resolve, reject) => {
      slot.pending.push({ resolve, reject });
      const message: BatchMessage = { fd, size, entries };
      slot.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((slot) => slot.worker.terminate()));
  }
}

export type WorkerChoice = 'auto' | 'always' | 'never';

/**
 * From this many small files (or bytes of them) in one zip, batches run on worker threads. Starting the workers
 * costs about 40 ms; inline extraction writes about 50 files or 10 MB in that time, and workers halve the rest.
 */
const WORKER_MIN_FILES = 6000;
const WORKER_MIN_BYTES = 24 << 20;

/** Picks the runner for each zip of an unpack: workers once any zip is big enough, then for the rest too. */
export class BatchRunners {
  private current: BatchRunner | undefined;

  constructor(private readonly umask: number, private readonly choice: WorkerChoice) {}

  forZip(files: number, bytes: number): BatchRunner {
    const big = files >= WORKER_MIN_FILES || bytes >= WORKER_MIN_BYTES;
    const wantWorkers = this.choice === 'always' || (this.choice === 'auto' && big);
    if (this.current instanceof WorkerRunner || (this.current !== undefined && !wantWorkers)) return this.current;
    void this.current?.close();
    this.current = wantWorkers ? new WorkerRunner(this.umask) : new InlineRunner(this.umask);
    return this.current;
  }

  async close(): Promise<void> {
    await this.current?.close();
  }
}
