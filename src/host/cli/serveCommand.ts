import * as fs from 'node:fs';
import * as os from 'node:os';
import type Docker from 'dockerode';
import { DEFAULT_IMAGE_TAG } from '../buildImage';
import { defaultDataDir } from '../../service/store/dataDir';
import { DockerEngine, type DockerEngineOptions } from '../../service/engines/docker';
import { LambdaService } from '../../service/service';
import { imageExists } from '../dockerEngine';
import { buildCommand } from './buildCommand';
import { UsageError } from './usageError';

export interface ServeArgs {
  host: string;
  port: number;
  /** Undefined: the image this process runs in (serve inside the image), else lambda-sandbox:latest. */
  image?: string;
  baseImage?: string;
  dataDir: string;
  region: string;
  account: string;
  maxConcurrency: number;
  keepAliveMs: number;
  asyncRetryDelayMs: number;
}

/**
 * Runs the Lambda service until SIGTERM/SIGINT: builds the environment image first when it is missing (never
 * pulling), answers the Lambda API, prints every environment's log lines prefixed with function, version and
 * environment, and on the signal stops every environment and exits 0.
 */
export async function serveCommand(docker: Docker, args: ServeArgs): Promise<number> {
  const self = await ownContainer(docker);
  const image = args.image ?? self?.image ?? DEFAULT_IMAGE_TAG;
  if (!(await imageExists(docker, image))) {
    if (self) throw new UsageError(`image ${image} does not exist in the Docker engine`);
    process.stderr.write(`lambda-sandbox serve: the environment image ${image} is missing; building it first\n`);
    await buildCommand(docker, { tag: image, baseImage: args.baseImage });
  }
  const reach: DockerEngineOptions['reach'] = self ? { kind: 'container', network: self.network } : { kind: 'published' };
  const service = await LambdaService.start({
    engine: new DockerEngine(docker, { reach }),
    image, dataDir: args.dataDir, host: args.host, port: args.port,
    place: { region: args.region, account: args.account },
    maxConcurrency: args.maxConcurrency, keepAliveMs: args.keepAliveMs,
    asyncRetryDelaysMs: [args.asyncRetryDelayMs, args.asyncRetryDelayMs * 2],
    shutdownGraceMs: 30_000, readyTimeoutMs: 60_000,
    onEnvironmentLine: (functionName, version, environmentId, line) => {
      process.stdout.write(`${functionName}[${version}] ${environmentId.slice(0, 8)} | ${line}\n`);
    },
    log: (message) => process.stderr.write(`lambda-sandbox serve: ${message}\n`),
  });
  process.stderr.write(`lambda-sandbox serve: Lambda API on ${service.url} (environments: ${image}; data: ${args.dataDir}; ` +
    `max concurrency ${args.maxConcurrency}; keep-alive ${args.keepAliveMs / 1000} s)\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`lambda-sandbox serve: ${signal}: finishing in-flight invokes, stopping every environment\n`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await service.stop();
  process.stderr.write('lambda-sandbox serve: stopped\n');
  // Every environment is gone; a client's half-open connection must not keep the process from exiting.
  process.exit(0);
}

/**
 * When serve runs in a container (the image's `serve`), its own image and network: environments are started
 * from the same image and reached on that network, since the host's loopback is out of reach from here.
 */
async function ownContainer(docker: Docker): Promise<{ image: string; network: string } | undefined> {
  if (!fs.existsSync('/.dockerenv')) return undefined;
  try {
    const info = await docker.getContainer(os.hostname()).inspect();
    const networkMode = info.HostConfig.NetworkMode ?? 'default';
    const networks = Object.keys(info.NetworkSettings.Networks ?? {});
    const network = networkMode === 'default' || networkMode === 'bridge' ? (networks[0] ?? 'bridge') : networkMode;
    return { image: info.Config.Image, network };
  } catch {
    return undefined;
  }
}

export const SERVE_USAGE = `  serve                         The Lambda service: the Lambda API (functions, versions, aliases, layers,
                                concurrency, invoke); each function runs on as many environments (containers
                                of the image) as its concurrency needs
      --host <address>          Address to listen on (default 127.0.0.1)
      --port <port>             Port (default 9000)
      --image <image>           Environment image (default ${DEFAULT_IMAGE_TAG}, or the image serve runs in);
                                built first if missing
      --base-image <image>      BASE_IMAGE when building
      --data-dir <dir>          Where functions and layers are kept (default ${defaultDataDir().replace(process.env.HOME ?? '\u0000', '~')})
      --max-concurrency <n>     The account's concurrency limit (default 32)
      --keep-alive <duration>   How long an idle environment stays warm: 90s, 5m, ... (default 5m)
      --async-retry-delay <d>   Delay before the first retry of a failed Event invocation; the second waits twice
                                as long (default 1m, as Lambda)
      --region <region>         Region in ARNs (default $AWS_REGION, else us-east-1)

  functions                     List the functions of a running serve: state, versions, environments
      --endpoint <url>          The serve (default $LAMBDA_ENDPOINT, else http://127.0.0.1:9000)
`;

type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

export const SERVE_OPTIONS = {
  host: { type: 'string' }, port: { type: 'string' }, image: { type: 'string' }, 'base-image': { type: 'string' },
  'data-dir': { type: 'string' }, 'max-concurrency': { type: 'string' }, 'keep-alive': { type: 'string' },
  'async-retry-delay': { type: 'string' }, region: { type: 'string' },
} as const;

export function serveArgs(values: Values): ServeArgs {
  const text = (name: string) => (typeof values[name] === 'string' ? values[name] as string : undefined);
  return {
    host: text('host') ?? '127.0.0.1',
    port: integer('--port', text('port') ?? '9000', 0, 65535),
    image: text('image'),
    baseImage: text('base-image') ?? (process.env.BASE_IMAGE || undefined),
    dataDir: text('data-dir') ?? process.env.LAMBDA_SANDBOX_DATA_DIR ?? defaultDataDir(),
    region: text('region') ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1'),
    account: process.env.LAMBDA_SANDBOX_ACCOUNT_ID || '123456789012',
    maxConcurrency: integer('--max-concurrency', text('max-concurrency') ?? '32', 1, 10_000),
    keepAliveMs: duration('--keep-alive', text('keep-alive') ?? '5m'),
    asyncRetryDelayMs: duration('--async-retry-delay', text('async-retry-delay') ?? '1m'),
  };
}

function integer(option: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${option} ${value} is not a whole number from ${min} to ${max}`);
  return n;
}

/** "90s", "5m", "1h", "250ms", or plain seconds. */
function duration(option: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  if (!match) throw new UsageError(`${option} ${value} is not a duration (e.g. 90s, 5m, 250ms)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Math.round(Number(match[1]) * unit);
}
