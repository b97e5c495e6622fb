import { parentPort, Worker } from 'node:worker_threads';
import { toRapidError, type RapidError } from './errors';
import { logError, patchConsole } from './logPatch';
import { stop, type InitFailureReport } from './runtime';
import { RuntimeApiClient } from './runtimeApiClient';
import { loopShares, workerCount } from './workerCount';

/** What a worker thread tells the pool. */
interface InitErrorMessage {
  kind: 'init-error';
  error: RapidError;
  exitCode: number;
}

/** What each worker thread is started with. */
export interface WorkerData {
  index: number;
  loops: number;
}

/** Flags a worker thread refuses (ERR_WORKER_INVALID_EXEC_ARGV); the rest of the process's flags are passed on. */
const PROCESS_ONLY_FLAGS = ['--expose-gc', '--max-semi-space-size', '--max-old-space-size'];

/**
 * In a worker thread, an init failure goes to the pool, which posts /runtime/init/error once for all workers (every
 * worker loads the same handler, so they usually all fail alike).
 */
export const reportInitFailureToPool: InitFailureReport = (_client, error, exitCode) => {
  const message: InitErrorMessage = { kind: 'init-error', error: toRapidError(error), exitCode };
  parentPort?.postMessage(message);
  process.exit(exitCode);
};

/**
 * Managed Instances mode (docs/nodejs-runtime.md): the main thread starts the worker threads, each loading the
 * handler once and serving its share of the `maxConcurrency` /next loops. A worker that ends leaves the others
 * running, as on Lambda; when none is left, the process ends.
 */
export function runWorkerPool(maxConcurrency: number, entry: string): void {
  patchConsole(process.env, { context: { requestId: () => '-', tenantId: () => undefined }, forceJson: true });
  let client: RuntimeApiClient;
  try {
    client = new RuntimeApiClient(process.env.AWS_LAMBDA_RUNTIME_API);
  } catch (error) {
    stop((error as Error).message);
  }
  const shares = loopShares(maxConcurrency, workerCount(process.env, maxConcurrency));
  const execArgv = process.execArgv.filter((flag) => !PROCESS_ONLY_FLAGS.some((refused) => flag.startsWith(refused)));
  let running = shares.length;
  let initFailed = false;
  let anyFailed = false;
  shares.forEach((loops, index) => {
    const workerData: WorkerData = { index, loops };
    const worker = new Worker(entry, { workerData, env: process.env, execArgv });
    worker.on('message', (message: InitErrorMessage) => {
      if (message.kind !== 'init-error' || initFailed) return;
      initFailed = true;
      client.postInitError(message.error).then(() => process.exit(message.exitCode), (failure: Error) => stop(failure.message));
    });
    worker.on('error', (error) => logError(`Worker ${index} error:`, error));
    worker.on('exit', (code) => {
      running--;
      if (code !== 0) anyFailed = true;
      if (!initFailed) logError(`Worker ${index} exit:`, new Error(`Worker ${index} exited with code ${code}`));
      if (running === 0 && !initFailed) process.exit(anyFailed ? 1 : 0);
    });
  });
}
