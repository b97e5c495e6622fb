/**
 * The built-in Node.js runtime: started by the init as `node bootstrap.js` with the task root as cwd and Lambda's
 * environment (AWS_LAMBDA_RUNTIME_API, _HANDLER, LAMBDA_TASK_ROOT, NODE_PATH, ...). Plain Node, no dependencies.
 * In Managed Instances mode the same file is the entry of every worker thread. docs/nodejs-runtime.md describes the
 * modes.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { toRapidError } from './errors';
import { runRuntime, stop, type InitFailureReport } from './runtime';
import { runtimeModeFrom } from './runtimeMode';
import { passStartGate } from './startGate';
import { reportInitFailureToPool, runWorkerPool, type WorkerData } from './workerPool';

const postInitError: InitFailureReport = (client, error, exitCode) => {
  client.postInitError(toRapidError(error)).then(() => process.exit(exitCode), (failure: Error) => stop(failure.message));
};

function start(): void {
  const mode = runtimeModeFrom(process.env);
  if (isMainThread && mode.maxConcurrency !== undefined) {
    runWorkerPool(mode.maxConcurrency, __filename);
  } else {
    const loops = isMainThread ? 1 : (workerData as WorkerData).loops;
    // A failed load is reported like any uncaught exception during init: logged, posted to /runtime/init/error, exit 129.
    runRuntime(mode, loops, isMainThread ? postInitError : reportInitFailureToPool).catch((error: unknown) =>
      process.emit('uncaughtException', error as Error),
    );
  }
}

// Worker threads never see the variable (it is gone before they start): they pass at once.
void passStartGate(process.env).then(start);
