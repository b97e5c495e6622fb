import { AsyncInvokeLoop } from './asyncInvokeLoop';
import { installAwslambdaGlobal } from './awslambdaGlobal';
import { beforeExit } from './beforeExit';
import { rejectCallbackHandler } from './callbackDeprecation';
import { MalformedHandlerName, toRapidError, UnhandledPromiseRejection } from './errors';
import { handlerMetadata, loadHandler } from './handlerLoader';
import { InvokeLoop, type FatalErrorSink } from './invokeLoop';
import { ConcurrentInvokeStore, PROTECTED_KEYS, publishInvokeStore, SingleInvokeStore, type InvokeStore } from './invokeStore';
import { logError, patchConsole, type LogContext } from './logPatch';
import { RuntimeApiClient, type Invocation } from './runtimeApiClient';
import type { RuntimeMode } from './runtimeMode';

/** Exit codes of Lambda's Node.js runtime after reporting an uncaught exception / unhandled rejection. */
export const UNCAUGHT_EXCEPTION_EXIT = 129;
const UNHANDLED_REJECTION_EXIT = 128;

/** How a failure before the first invocation is reported: POST /runtime/init/error, or to the worker pool. */
export type InitFailureReport = (client: RuntimeApiClient, error: unknown, exitCode: number) => void;

export function stop(message: string): never {
  process.stderr.write(`lambda-sandbox nodejs runtime: ${message}\n`);
  process.exit(1);
}

function logContextOf(store: InvokeStore, mode: RuntimeMode): LogContext {
  return {
    requestId: () => (mode.callbackModel ? (store.get(PROTECTED_KEYS.REQUEST_ID) as string | undefined) : store.getRequestId()),
    tenantId: () => store.getTenantId(),
  };
}

/** Posts the error for every invocation still running (an uncaught exception cannot be told apart), then exits. */
function failRunning(client: RuntimeApiClient, running: Invocation[], error: unknown, exitCode: number): void {
  Promise.allSettled(running.map((invocation) => client.postError(invocation, toRapidError(error)))).then(() => process.exit(exitCode));
}

/**
 * One runtime: the whole process when one invocation runs at a time, or one worker thread in Managed Instances mode
 * (`loops` concurrent /next loops). Loads the handler once, then serves invocations until the process ends.
 */
export async function runRuntime(mode: RuntimeMode, loops: number, initFailure: InitFailureReport): Promise<void> {
  const store: InvokeStore = mode.maxConcurrency === undefined ? new SingleInvokeStore() : new ConcurrentInvokeStore();
  patchConsole(process.env, { context: logContextOf(store, mode), forceJson: mode.maxConcurrency !== undefined });
  let client: RuntimeApiClient;
  try {
    client = new RuntimeApiClient(process.env.AWS_LAMBDA_RUNTIME_API, loops);
  } catch (error) {
    stop((error as Error).message);
  }

  // Until the invoke loop runs, a fatal error is an init error; the loop then points this at its invocations.
  const fatal: { current: FatalErrorSink } = { current: { report: (error, exitCode) => initFailure(client, error, exitCode) } };
  let reporting = false;
  const reportOnce = (error: unknown, exitCode: number): void => {
    if (reporting) return;
    reporting = true;
    fatal.current.report(error, exitCode);
  };
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    reportOnce(error, UNCAUGHT_EXCEPTION_EXIT);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    reportOnce(error, UNHANDLED_REJECTION_EXIT);
  });
  if (mode.callbackModel) {
    beforeExit.reset();
    process.on('beforeExit', beforeExit.invoke);
  }

  installAwslambdaGlobal(process.env);
  publishInvokeStore(store);
  const handlerName = process.env._HANDLER;
  if (handlerName === undefined || handlerName === '') {
    throw new MalformedHandlerName('No handler specified: set _HANDLER to <module>.<export>, for example index.handler');
  }
  const handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), handlerName);
  const metadata = handlerMetadata(handler);
  rejectCallbackHandler(metadata, mode);
  if (mode.callbackModel) {
    new InvokeLoop(client, handler, metadata, fatal, store).scheduleIteration();
    return;
  }
  const loop = new AsyncInvokeLoop(client, handler, metadata, store, { traceIdToEnv: mode.maxConcurrency === undefined });
  fatal.current = { report: (error, exitCode) => failRunning(client, loop.running(), error, exitCode) };
  loop.start(loops);
}
