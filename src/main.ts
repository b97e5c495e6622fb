#!/usr/bin/env node
// First, before anything else loads: a SIGTERM from `docker stop` right after start is queued, not lost.
import { installEarlySignalQueue } from './earlySignals';
installEarlySignalQueue();
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { extensionRoutes } from './api/extensions/routes';
import type { ServiceStatus } from './api/invoke/invokeRoute';
import { invokeRoutes, newInvokeRouter } from './api/invoke/routes';
import { newRuntimeRouter, runtimeRoutes } from './api/runtime/routes';
import type { Router } from './api/router';
import type * as Archive from './archive/unpack';
import { ConfigError, loadConfig, type Config } from './config';
import { runInvokePhase } from './invoke/invokePhase';
import { Environment } from './lifecycle/environment';
import { InvokeQueue } from './invoke/invokeQueue';
import { createLogger, type Logger } from './logger';
import { resolveRuntimeCommand } from './launch/runtimeCommand';
import { createFreezer, type Freezer } from './process/freezer';
import { mountOwnCgroup2 } from './process/freezer/mountCgroup2';
import { ensureSandboxHostnames } from './launch/hostsFile';
import { startReaper } from './process/reaper';
import { overriddenReserved, runtimeEnvironment } from './launch/runtimeEnvironment';
import { EventStream } from './telemetry/events';
import { startHotReload } from './watch/hotReload';
import { LogStream } from './telemetry/logStream';
import { TelemetryHub } from './telemetry/subscriptions/hub';

/** How long a shutdown waits for the invocation in flight before stopping the runtime under it. */
const SHUTDOWN_GRACE_MS = 2_000;

function fail(message: string): never {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exit(1);
}

function listen(server: Server, host: string, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`cannot listen for the ${what} on ${host}:${port}: ${error.code ?? error.message}`)));
    server.listen(port, host, () => resolve());
  });
}

function serve(router: Router, log: Logger): Server {
  const server = createServer((req, res) => {
    Promise.resolve(router.dispatch(req, res)).catch((error: unknown) => {
      log.error(`request ${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errorType: 'ServiceException', errorMessage: 'Internal error in the execution environment' }) + '\n');
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function unpack(config: Config, log: Logger): Promise<void> {
  if (config.functionZip === undefined && config.layers.length === 0) return;
  // Loaded only when needed: the archive code (worker threads, yauzl) costs about 15 ms of a cold start.
  const { describeUnpack, unpackAll, UnpackError }: typeof Archive = require('./archive/unpack');
  try {
    const report = await unpackAll({ functionZip: config.functionZip, layers: config.layers, taskRoot: config.taskRoot, optDir: config.optDir });
    log.info(describeUnpack(report));
    for (const warning of report.warnings) log.warn(warning);
  } catch (error) {
    if (error instanceof UnpackError) fail(error.message);
    throw error;
  }
}

/** The freezer; in a container that may mount its own cgroup2 (--cgroupns=private + SYS_ADMIN), on that. */
async function openFreezer(config: Config, log: Logger): Promise<Freezer> {
  if (config.freeze === 'auto' || config.freeze === 'cgroup2') {
    const mounted = mountOwnCgroup2();
    if (mounted.ok) {
      log.info(`mounted cgroup2 at ${mounted.dir} for the freezer`);
      return createFreezer(config.freeze, { cgroupRoot: mounted.dir, log: (line) => log.info(line), adoptedBy: process.pid });
    }
    log.debug(`not mounting cgroup2: ${mounted.reason}`);
  }
  return createFreezer(config.freeze, { log: (line) => log.info(line), adoptedBy: process.pid });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) fail(`lambda-sandbox: ${error.message}`);
    throw error;
  }
  const log = createLogger(config.logLevel);
  // A reader of our output that went away (EPIPE) is no reason to stop the function, nor to log about it forever.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  process.on('uncaughtException', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') log.error(`unexpected error (the init keeps running): ${error.stack ?? error.message}`);
  });
  process.on('unhandledRejection', (error) => log.error(`unexpected rejection (the init keeps running): ${String(error)}`));

  const reaper = startReaper({ log: (line) => log.warn(line) });
  await unpack(config, log);
  const freezer = await openFreezer(config, log);
  await ensureSandboxHostnames().catch((error: Error) => log.warn(`could not add sandbox.localdomain to /etc/hosts: ${error.message}`));

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
    resolveRuntime: () => resolveRuntimeCommand(config, config.nodejsBootstrap),
    freezer,
    telemetry,
    idleShutdownMs: config.idleShutdownMs,
    invocationWaiting: () => queue.depth > 0,
  });
  const state = { status: 'initializing' as ServiceStatus };

  const runtimeServer = serve(
    extensionRoutes(environment.extensionsPort, config, telemetry, runtimeRoutes(environment.runtimePort, newRuntimeRouter(), config.streamBandwidthBps)), log);
  const invokeServer = serve(invokeRoutes({
    config,
    invoke: (invocation) => runInvokePhase(invocation, { config, events, log, environment }),
    queue,
    logStream,
    status: () => state.status,
    environmentState: () => environment.state.state,
  }, newInvokeRouter()), log);
  try {
    await listen(runtimeServer, config.apiHost, config.apiPort, 'Runtime API');
    await listen(invokeServer, config.invokeHost, config.invokePort, 'Invoke API');
  } catch (error) {
    await freezer.dispose(); // the cgroup it made must not outlive a start that failed
    reaper.stop();
    fail(`lambda-sandbox: ${(error as Error).message}`);
  }
  log.info(`Runtime API on ${config.apiHost}:${config.apiPort}, invokes on ${config.invokeHost}:${config.invokePort}`);

  const watcher = config.watch ? startHotReload(config, environment, log) : undefined;
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
    invokeServer.closeAllConnections();
    runtimeServer.closeAllConnections();
    invokeServer.close();
    runtimeServer.close();
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

main().catch((error: unknown) => fail(`lambda-sandbox: unexpected failure at start: ${(error as Error).stack ?? String(error)}`));
