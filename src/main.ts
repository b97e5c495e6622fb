#!/usr/bin/env node
// First, before anything else loads: a SIGTERM from `docker stop` right after start is queued, not lost.
import { installEarlySignalQueue } from './earlySignals';
installEarlySignalQueue();
import { ApiServer } from './api/apiServer';
import type * as Archive from './archive/unpack';
import { ConfigError, loadConfig, type Config } from './config';
import { ensureSandboxHostnames } from './launch/hostsFile';
import { PrestartedProcesses } from './lifecycle/prestartedProcesses';
import { createLogger, type Logger } from './logger';
import { createFreezer, type Freezer } from './process/freezer';
import { mountOwnCgroup2 } from './process/freezer/mountCgroup2';
import { startReaper } from './process/reaper';
import type * as Services from './startEnvironment';

// The start-up is ordered so that the first runtime (or the extensions) start as early as they can
// (docs/architecture.md#cold-start): config, the zips and the freezer, the Runtime API's socket, those processes;
// only then does the rest of the init load (startEnvironment.ts), while their own start-up runs on another CPU.

function fail(message: string): never {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exit(1);
}

/** Unpacks the function and layer zips; the reason when that fails. */
async function unpack(config: Config, log: Logger): Promise<string | undefined> {
  if (config.functionZip === undefined && config.layers.length === 0) return undefined;
  // Loaded only when needed: the archive code (worker threads, yauzl) costs about 15 ms of a cold start.
  const { describeUnpack, unpackAll, UnpackError }: typeof Archive = require('./archive/unpack');
  try {
    const report = await unpackAll({ functionZip: config.functionZip, layers: config.layers, taskRoot: config.taskRoot, optDir: config.optDir });
    log.info(describeUnpack(report));
    for (const warning of report.warnings) log.warn(warning);
    return undefined;
  } catch (error) {
    if (error instanceof UnpackError) return error.message;
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

  // Before any child: the reaper tells the children Node spawned from orphans by watching spawns from now on, and
  // would reap one it never saw start, so its exit would never reach Node.
  const reaper = startReaper({ log: (line) => log.warn(line) });
  const gated = PrestartedProcesses.startGated(config);
  if (gated) {
    log.debug(`started the Node.js runtime ahead of the unpack (pid ${gated.process.pid}); it waits until its code is in place`);
    // Whatever ends the init before the first Init adopts it, this runtime goes with it.
    process.once('exit', () => gated.adopted || gated.kill());
  }
  const [unpacked, opened] = await Promise.allSettled([unpack(config, log), openFreezer(config, log)]);
  if (opened.status === 'rejected') throw opened.reason;
  const freezer = opened.value;
  const giveUp = async (message: string): Promise<never> => {
    await freezer.dispose(); // the cgroup it made must not outlive a start that failed
    reaper.stop();
    fail(message);
  };
  if (unpacked.status === 'rejected') await giveUp(`lambda-sandbox: unexpected failure while unpacking: ${(unpacked.reason as Error).stack ?? String(unpacked.reason)}`);
  else if (unpacked.value !== undefined) await giveUp(unpacked.value);
  await ensureSandboxHostnames().catch((error: Error) => log.warn(`could not add sandbox.localdomain to /etc/hosts: ${error.message}`));

  const runtimeApi = new ApiServer();
  await runtimeApi.listen(config.apiHost, config.apiPort, 'Runtime API').catch((error: Error) => giveUp(`lambda-sandbox: ${error.message}`));
  const prestarted = PrestartedProcesses.start(config, freezer, gated);
  if (prestarted) log.debug(`started ahead of the Init: ${prestarted.commands.join(', ')}`);
  // Whatever ends the init before its first Init, what it started goes with it.
  process.once('exit', () => prestarted?.release());

  const { startEnvironment }: typeof Services = require('./startEnvironment');
  await startEnvironment({ config, log, freezer, reaper, runtimeApi, prestarted, giveUp });
}

main().catch((error: unknown) => fail(`lambda-sandbox: unexpected failure at start: ${(error as Error).stack ?? String(error)}`));
