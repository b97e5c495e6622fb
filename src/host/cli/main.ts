#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEFAULT_IMAGE_TAG } from '../buildImage';
import { removeBuildLeftovers } from '../buildLeftovers';
import { listSandboxes, removeManagedContainers } from '../cleanup';
import { connectDocker, isDockerReachable } from '../dockerEngine';
import { buildCommand } from './buildCommand';
import { demoCommand } from './demoCommand';
import { invokeCommand } from './invokeCommand';
import { logsCommand } from './logsCommand';
import { runCommand } from './runCommand';
import { functionsCommand } from './functionsCommand';
import { serveArgs, serveCommand, SERVE_OPTIONS, SERVE_USAGE } from './serveCommand';
import { UsageError } from './usageError';

const USAGE = `Usage: lambda-sandbox <command> [options]

  build                         Build the image from this repository, showing the build's progress
      --tag <image>             Image tag (default ${DEFAULT_IMAGE_TAG})
      --base-image <image>      BASE_IMAGE for the build (default: $BASE_IMAGE, else the Dockerfile's, else
                                local/node-base); it must be present locally: nothing is pulled
      --no-cache                Build without the engine's cache

  run [<function.zip | dir>] [-- <runtime command>...]
                                Start a sandbox with the function copied in, print its invoke URL, stream its
                                log; Ctrl-C stops it gracefully and removes it
      --layer <zip | dir>       A layer; repeat for more, applied in order (later ones win; directories are
                                copied into /opt before the zips are unpacked)
      --handler <handler>       The handler, e.g. index.handler
      --port <port>             Host port on 127.0.0.1 (default: any free port)
      --env <KEY=VALUE>         Environment variable for the function/init; repeatable
      --image <image>           Image (default ${DEFAULT_IMAGE_TAG}); built first if missing
      --build                   Build the image first even if it exists
      --base-image <image>      BASE_IMAGE when building
      --cgroup-freezer          Mount /sys/fs/cgroup read-write so the init freezes with cgroups (else SIGSTOP)
      --detach                  Leave the sandbox running in the background and return
      --watch                   Mount the function directory (read-only) instead of copying it, and reinitialise
                                after every change to it (hot reload; needs a local engine)

  invoke [<payload JSON>]       Invoke a sandbox and print the response (default payload {})
      --url <url>               Invoke URL or base URL (default: the only running sandbox)
      --sandbox <name>          Which running sandbox, when several are
      --payload-file <file>     Read the payload from a file ("-" for stdin)
      --tail                    Also print the invoke's log tail (X-Amz-Log-Type: Tail)
      --type <type>             RequestResponse (default), Event or DryRun

  logs [<sandbox>]              Print a sandbox's log (default: the only running sandbox)
      -f, --follow              Keep printing until it stops

  demo                          Build the image, run the example function with the example extension layer,
                                invoke it twice, stop it and show its log
      --base-image <image>, --image <image>   as for run

${SERVE_USAGE}
  list                          List the sandbox containers lambda-sandbox started: name, state, URL, session
  cleanup                       Remove the sandbox containers lambda-sandbox started; nothing else
      --session <id>            Only those one process started (the session column of list)
      --images                  Also remove the untagged build-stage images this repository's builds left

The Docker engine is the one DOCKER_HOST names, else the local socket.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? process.stderr : process.stdout).write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (wantsHelp(command, rest)) {
    process.stdout.write(`${usageOf(command)}\n`);
    return 0;
  }
  const docker = connectDocker();
  const needsEngine = async () => {
    if (!(await isDockerReachable(docker))) {
      throw new Error(`no Docker engine answers at ${process.env.DOCKER_HOST ?? 'the local socket (/var/run/docker.sock)'}`);
    }
  };
  switch (command) {
    case 'build': {
      const { values } = parse(rest, { tag: { type: 'string' }, 'base-image': { type: 'string' }, 'no-cache': { type: 'boolean' } }, false);
      await needsEngine();
      await buildCommand(docker, { tag: str(values.tag) ?? DEFAULT_IMAGE_TAG, baseImage: baseImage(values), noCache: values['no-cache'] === true });
      return 0;
    }
    case 'demo': {
      const { values } = parse(rest, { image: { type: 'string' }, 'base-image': { type: 'string' } }, false);
      await needsEngine();
      return demoCommand(docker, { image: str(values.image) ?? DEFAULT_IMAGE_TAG, baseImage: baseImage(values) });
    }
    case 'run': {
      const dashes = rest.indexOf('--');
      const runtimeCommand = dashes === -1 ? [] : rest.slice(dashes + 1);
      const { values, positionals } = parse(dashes === -1 ? rest : rest.slice(0, dashes), {
        layer: { type: 'string', multiple: true }, handler: { type: 'string' }, port: { type: 'string' },
        env: { type: 'string', multiple: true }, image: { type: 'string' }, build: { type: 'boolean' },
        'base-image': { type: 'string' }, 'cgroup-freezer': { type: 'boolean' }, detach: { type: 'boolean' },
        watch: { type: 'boolean' },
      }, true);
      if (positionals.length > 1) throw new UsageError(`run takes one function zip or directory, got: ${positionals.join(' ')}`);
      if (positionals.length === 0 && runtimeCommand.length === 0 && values.handler === undefined) {
        throw new UsageError('run needs a function zip or directory (or a runtime command after --)');
      }
      await needsEngine();
      return runCommand(docker, {
        code: positionals[0],
        layers: list(values.layer),
        handler: str(values.handler),
        command: runtimeCommand,
        port: port(str(values.port)),
        env: environment(list(values.env)),
        image: str(values.image) ?? DEFAULT_IMAGE_TAG,
        build: values.build === true,
        baseImage: baseImage(values),
        cgroupFreezer: values['cgroup-freezer'] === true,
        detach: values.detach === true,
        watch: values.watch === true,
      });
    }
    case 'invoke': {
      const { values, positionals } = parse(rest, {
        url: { type: 'string' }, sandbox: { type: 'string' }, 'payload-file': { type: 'string' },
        tail: { type: 'boolean' }, type: { type: 'string' },
      }, true);
      if (positionals.length > 1) throw new UsageError('invoke takes one payload argument (quote the JSON)');
      const type = str(values.type);
      if (type !== undefined && !['RequestResponse', 'Event', 'DryRun'].includes(type)) {
        throw new UsageError(`--type ${type} is not one of RequestResponse, Event, DryRun`);
      }
      if (values.url === undefined) await needsEngine();
      return invokeCommand(docker, {
        url: str(values.url), sandbox: str(values.sandbox), payload: positionals[0], payloadFile: str(values['payload-file']),
        tail: values.tail === true, type: type as 'RequestResponse' | 'Event' | 'DryRun' | undefined,
      });
    }
    case 'logs': {
      const { values, positionals } = parse(rest, { follow: { type: 'boolean', short: 'f' } }, true);
      await needsEngine();
      return logsCommand(docker, { sandbox: positionals[0], follow: values.follow === true });
    }
    case 'serve': {
      const { values } = parse(rest, SERVE_OPTIONS, false);
      await needsEngine();
      return serveCommand(docker, serveArgs(values));
    }
    case 'functions': {
      const { values } = parse(rest, { endpoint: { type: 'string' } }, false);
      return functionsCommand(str(values.endpoint) ?? process.env.LAMBDA_ENDPOINT ?? 'http://127.0.0.1:9000');
    }
    case 'list': {
      parse(rest, {}, false);
      await needsEngine();
      const containers = await listSandboxes({ docker });
      if (containers.length === 0) process.stderr.write('lambda-sandbox: no sandbox containers (start one with `lambda-sandbox run`)\n');
      for (const c of containers) {
        const url = c.hostPort !== undefined ? `http://127.0.0.1:${c.hostPort}` : '-';
        process.stdout.write(`${c.name}\t${c.state}\t${url}\t${c.session}\n`);
      }
      return 0;
    }
    case 'cleanup': {
      const { values } = parse(rest, { session: { type: 'string' }, images: { type: 'boolean' } }, false);
      await needsEngine();
      const removed = await removeManagedContainers({ docker, session: str(values.session) });
      process.stderr.write(`lambda-sandbox: removed ${plural(removed, 'container')}\n`);
      if (values.images === true) {
        const images = await removeBuildLeftovers({ docker });
        process.stderr.write(`lambda-sandbox: removed ${plural(images.length, 'untagged build-stage image')}\n`);
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** `<command> --help` / `-h` (before a `--` that starts a runtime command). */
function wantsHelp(command: string, args: string[]): boolean {
  const dashes = args.indexOf('--');
  return COMMANDS.includes(command) && (dashes === -1 ? args : args.slice(0, dashes)).some((arg) => arg === '--help' || arg === '-h');
}

const COMMANDS = ['build', 'run', 'invoke', 'logs', 'demo', 'serve', 'functions', 'list', 'cleanup'];

/** The usage of one command: its paragraph of USAGE (from its line to the next command's), with the header. */
function usageOf(command: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`  ${command} `) || line === `  ${command}`);
  if (start === -1) return USAGE;
  let end = start + 1;
  while (end < lines.length && !COMMANDS.some((c) => lines[end].startsWith(`  ${c} `)) && !lines[end].startsWith('The Docker')) end++;
  return [`Usage: lambda-sandbox ${command} [options]`, '', ...lines.slice(start, end)].join('\n').trimEnd();
}

type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;
interface Parsed {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
}

function parse(args: string[], options: Options, allowPositionals: boolean): Parsed {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** --base-image, else $BASE_IMAGE (as docker-compose.yml uses it), else the library's choice. */
function baseImage(values: Parsed['values']): string | undefined {
  return str(values['base-image']) ?? (process.env.BASE_IMAGE || undefined);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new UsageError(`--port ${value} is not a port number (1-65535)`);
  return n;
}

function environment(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env ${pair} is not KEY=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    const usage = error instanceof UsageError;
    process.stderr.write(`lambda-sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
    if (usage) process.stderr.write('Run `lambda-sandbox help` for the commands and options.\n');
    process.exitCode = usage ? 2 : 1;
  },
);
