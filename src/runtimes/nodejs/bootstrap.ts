/**
 * The built-in Node.js runtime: started by the init as `node bootstrap.js` with the task root as cwd and Lambda's
 * environment (AWS_LAMBDA_RUNTIME_API, _HANDLER, LAMBDA_TASK_ROOT, NODE_PATH, ...). Plain Node, no dependencies.
 */
import { installAwslambdaGlobal } from './awslambdaGlobal';
import { beforeExit } from './beforeExit';
import { MalformedHandlerName, toRapidError, UnhandledPromiseRejection } from './errors';
import { handlerMetadata, loadHandler } from './handlerLoader';
import { InvokeLoop, type FatalErrorSink } from './invokeLoop';
import { logError, patchConsole } from './logPatch';
import { RuntimeApiClient } from './runtimeApiClient';

/** Exit codes of Lambda's Node.js runtime after reporting an uncaught exception / unhandled rejection. */
const UNCAUGHT_EXCEPTION_EXIT = 129;
const UNHANDLED_REJECTION_EXIT = 128;

function stop(message: string): never {
  process.stderr.write(`lambda-sandbox nodejs runtime: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  patchConsole(process.env);
  let client: RuntimeApiClient;
  try {
    client = new RuntimeApiClient(process.env.AWS_LAMBDA_RUNTIME_API);
  } catch (error) {
    stop((error as Error).message);
  }

  // Until the first invocation arrives, a fatal error is an init error; the invoke loop then points this at the
  // running invocation.
  const fatal: { current: FatalErrorSink } = {
    current: {
      report: (error, exitCode) => {
        client.postInitError(toRapidError(error)).then(() => process.exit(exitCode), (failure: Error) => stop(failure.message));
      },
    },
  };
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
  beforeExit.reset();
  process.on('beforeExit', beforeExit.invoke);

  installAwslambdaGlobal(process.env);
  const handlerName = process.env._HANDLER;
  if (handlerName === undefined || handlerName === '') {
    throw new MalformedHandlerName('No handler specified: set _HANDLER to <module>.<export>, for example index.handler');
  }
  const handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), handlerName);
  new InvokeLoop(client, handler, handlerMetadata(handler), fatal).scheduleIteration();
}

// A failed load is reported like any uncaught exception during init: logged, posted to /runtime/init/error, exit 129.
main().catch((error: unknown) => process.emit('uncaughtException', error as Error));
