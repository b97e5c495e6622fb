import { randomUUID } from 'node:crypto';
import { ApiServer } from './api/apiServer';
import { extensionRoutes } from './api/extensions/routes';
import type { ServiceStatus } from './api/invoke/invokeRoute';
import { invokeRoutes, newInvokeRouter } from './api/invoke/routes';
import { newRuntimeRouter, runtimeRoutes } from './api/runtime/routes';
import type { Config } from './config';
import { runInvokePhase } from './invoke/invokePhase';
import { InvokeQueue } from './invoke/invokeQueue';
import { resolveRuntimeCommand } from './launch/runtimeCommand';
import { overriddenReserved, runtimeEnvironment } from './launch/runtimeEnvironment';
import { Environment } from './lifecycle/environment';
import type { PrestartedProcesses } from './lifecycle/prestartedProcesses';
import type { Logger } from './logger';
import type { Freezer } from './process/freezer';
import type { Reaper } from './process/reaper';
import { EventStream } from './telemetry/events';
import { LogStream } from './telemetry/logStream';
import { TelemetryHub } from './telemetry/subscriptions/hub';
import type * as HotReload from './watch/hotReload';

/** How long a shutdown waits for the invocation in flight before stopping the runtime under it. */
const SHUTDOWN_GRACE_MS = 2_000;

/** What main.ts has made ready before this part of the init loads. */
export interface EarlyStart {
  config: Config;
  log: Logger;
  freezer: Freezer;
  reaper: Reaper;
  /** Listening already; answers once the processes started ahead are the first Init's. */
  runtimeApi: ApiServer;
  prestarted: PrestartedProcesses | undefined;
  /** Ends a start that failed: the freezer's cgroup removed, the message on stderr, exit status 1. */
  giveUp: (message: string) => Promise<never>;
}

/**
 * The rest of the start: the event stream and its consumers, the environment, the Invoke API, the shutdown on
 * SIGTERM/SIGINT, and the first Init.
 */
export async function startEnvironment({ config, log, freezer, reaper, runtimeApi, prestarted, giveUp }: EarlyStart): Promise<void> {
  const events = new EventStream();
  const logStream = new LogStream(events, config.logFormat, (text) => process.stdout.write(text));
  for (const name of overriddenReserved(config, runtimeEnvironment(config))) {
    log.warn(`${name} is reserved by Lambda; the function sees Lambda's value, not the one given`);
  }
  const telemetry = new TelemetryHub(events, {
    log: (level, message) => log.log(level, `telemetry: ${message}`),
    logFormat: config.logFormat,
    reservedPorts: [config.apiPort, config.invokePort],
  });
  const queue = new InvokeQueue(config.maxQueuedInvokes, config.maxConcurrency);
  const environment = new Environment({
    config,
    events,
    log,
    instanceId: randomUUID(),
    resolveRuntime: async () => resolveRuntimeCommand(config, config.nodejsBootstrap),
    freezer,
    telemetry,
    idleShutdownMs: config.idleShutdownMs,
    invocationWaiting: () => queue.depth > 0,
    prestarted,
  });
  const state = { status: 'initializing' as ServiceStatus };

  const runtimeRouter = extensionRoutes(environment.extensionsPort, config, telemetry,
    runtimeRoutes(environment.runtimePort, newRuntimeRouter(), config.streamBandwidthBps));
  // Calls from the processes started ahead wait until the first Init has adopted them (or killed them).
  void (prestarted?.settled ?? Promise.resolve()).then(() => runtimeApi.answerWith(runtimeRouter, log));
  const invokeApi = new ApiServer();
  invokeApi.answerWith(invokeRoutes({
    config,
    invoke: (invocation) => runInvokePhase(invocation, { config, events, log, environment }),
    queue,
    logStream,
    status: () => state.status,
    environmentState: () => environment.state.state,
  }, newInvokeRouter()), log);
  await invokeApi.listen(config.invokeHost, config.invokePort, 'Invoke API').catch((error: Error) => giveUp(`lambda-sandbox: ${error.message}`));
  log.info(`Runtime API on ${config.apiHost}:${config.apiPort}, invokes on ${config.invokeHost}:${config.invokePort}`);

  // Loaded only with --watch: the file watching code costs ~10 ms of every other cold start.
  const watcher = config.watch ? (require('./watch/hotReload') as typeof HotReload).startHotReload(config, environment, log) : undefined;
  const shutdown = async (signal: string): Promise<void> => {
    if (state.status === 'shutting-down') return;
    state.status = 'shutting-down';
    log.info(`${signal} received: shutting down`);
    queue.refuseWaiting();
    await Promise.race([queue.idle(), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS))]);
    await environment.shutdown();
    // An invocation the shutdown stopped has its answer now (its runtime is gone): let the reply go out first.
    await Promise.race([queue.idle(), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS))]);
    watcher?.close();
    await freezer.dispose();
    reaper.stop();
    invokeApi.close();
    runtimeApi.close();
    logStream.close();
    telemetry.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const ok = await environment.initialize();
  if (!ok) log.warn('the next invoke will initialise again (suppressed init)');
  if (state.status === 'shutting-down') return;
  state.status = 'ready';
  queue.start();
}
