import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { imageExists } from '../dockerEngine';
import type { SandboxContainer } from '../container';
import { startSandboxContainer } from '../startContainer';
import { describeInitFailure, initFailures } from '../initReport';
import { buildCommand } from './buildCommand';
import { UsageError } from './usageError';

const AGAIN = '; the next invoke runs Init again (see the log)';

export interface RunArgs {
  /** A function zip or a directory with the function's code; optional when the command line names a runtime. */
  code?: string;
  layers: string[];
  handler?: string;
  command: string[];
  port?: number;
  env: Record<string, string>;
  image: string;
  build: boolean;
  baseImage?: string;
  cgroupFreezer: boolean;
  detach: boolean;
  /** Hot reload: bind-mount the function directory and let the init reinitialise after changes. */
  watch: boolean;
}

/**
 * Starts a sandbox and prints its invoke URL (stdout). In the foreground it then streams the container's log until
 * Ctrl-C / SIGTERM, which stops it gracefully (extensions get SHUTDOWN) and removes it. Returns the exit code.
 */
export async function runCommand(docker: Docker, args: RunArgs): Promise<number> {
  let functionZip: string | undefined;
  let functionDir: string | undefined;
  if (args.code !== undefined) {
    if (!fs.existsSync(args.code)) throw new UsageError(`${args.code} does not exist`);
    if (fs.statSync(args.code).isDirectory()) functionDir = args.code;
    else functionZip = args.code;
  }
  if (args.watch && functionDir === undefined) throw new UsageError('run --watch needs a function directory (changes to a zip are not watched)');
  const watched = args.watch ? watchedCode(functionDir as string, args.cgroupFreezer) : undefined;
  if (args.build || !(await imageExists(docker, args.image))) {
    await buildCommand(docker, { tag: args.image, baseImage: args.baseImage });
  }

  let stopRequested = false;
  const onSignal = () => { stopRequested = true; };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let sandbox: SandboxContainer;
  try {
    sandbox = await startSandboxContainer({
      docker,
      image: args.image,
      functionZip,
      functionDir: watched ? undefined : functionDir,
      layers: args.layers,
      handler: args.handler,
      command: args.command.length > 0 ? [...args.command, ...(args.handler ? [args.handler] : [])] : undefined,
      environment: { ...args.env, ...watched?.environment },
      hostConfig: watched?.hostConfig,
      hostPort: args.port,
      cgroupFreezer: args.cgroupFreezer,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (stopRequested) {
    await sandbox.close();
    return 130;
  }

  process.stdout.write(`${sandbox.invokeUrl}\n`);
  // Ready means Init has run; the log says whether it failed (the first invoke then runs it again, as Lambda does).
  const failedBefore = initFailures((await sandbox.logLines()).map(({ line }) => line));
  for (const failure of failedBefore) process.stderr.write(`lambda-sandbox: ${describeInitFailure(failure)}${AGAIN}\n`);
  process.stderr.write(`lambda-sandbox: ${sandbox.name} is ready${failedBefore.length > 0 ? ' (but its Init failed)' : ''}\n` +
    `  curl -X POST ${sandbox.invokeUrl} -d '{}'\n` +
    `  lambda-sandbox invoke '{}'          (AWS SDK endpoint: ${sandbox.endpoint})\n`);
  if (args.detach) {
    process.stderr.write(`  stop it with: docker stop ${sandbox.name}  (or lambda-sandbox cleanup)\n`);
    sandbox.release();
    return 0;
  }
  process.stderr.write('  Ctrl-C stops it\n');

  // Later failed Inits (a suppressed Init in an invoke) are said too; the recent lines hold the runtime's error
  // line. The followed log starts from the beginning, so the failures already said above come first.
  const recent: string[] = [];
  let seen = 0;
  const following = await sandbox.followLogs((line, stream) => {
    (stream === 'stderr' ? process.stderr : process.stdout).write(`${line}\n`);
    recent.push(line);
    if (recent.length > 50) recent.shift();
    if (initFailures([line]).length === 0 || ++seen <= failedBefore.length) return;
    const failure = initFailures(recent).pop();
    if (failure !== undefined) process.stderr.write(`lambda-sandbox: ${describeInitFailure(failure)}${AGAIN}\n`);
  });
  const stopped = new Promise<'signal'>((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
  });
  const why = await Promise.race([stopped, sandbox.waitForExit().then(() => 'exited' as const)]);
  if (why === 'signal') process.stderr.write(`lambda-sandbox: stopping ${sandbox.name}\n`);
  const code = await sandbox.stop();
  await following.done;
  process.stderr.write(`lambda-sandbox: ${sandbox.name} ${why === 'signal' ? 'stopped' : 'exited'} with code ${code}\n`);
  return code;
}

/** `run --watch`: the directory is mounted where the init watches it, instead of copied in once. */
function watchedCode(dir: string, cgroupFreezer: boolean): { environment: Record<string, string>; hostConfig: { Binds: string[] } } {
  const binds = [`${path.resolve(dir)}:/var/task:ro`];
  if (cgroupFreezer) binds.push('/sys/fs/cgroup:/sys/fs/cgroup:rw');
  return { environment: { LAMBDA_SANDBOX_WATCH: '1' }, hostConfig: { Binds: binds } };
}
