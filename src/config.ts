import * as path from 'node:path';
import { MAX_LAYERS, TOO_MANY_LAYERS_TEXT } from './archive/limits';
import { parseRunAs, type RunAs } from './launch/runAs';

/** Everything the init needs to know, read once from the environment and argv, validated. */
export interface Config {
  functionName: string;
  functionVersion: string;
  handler: string | undefined;
  memorySizeMb: number;
  timeoutSeconds: number;
  region: string;
  accountId: string;
  functionArn: string;
  logGroupName: string;
  logStreamName: string;
  initializationType: string;
  runtimeVersion: string;
  /** Whether AWS_LAMBDA_RUNTIME_VERSION was given (otherwise the init names the runtime it found). */
  runtimeVersionSet: boolean;
  runtimeVersionArn: string;

  taskRoot: string;
  optDir: string;
  tmpDir: string;
  runtimeDir: string;
  functionZip: string | undefined;
  layers: string[];
  /** The runtime command given on the command line (RIE style), if any. */
  command: string[];
  execWrapper: string | undefined;
  /** The built-in Node.js runtime's bootstrap script, when not the one shipped with the init. */
  nodejsBootstrap: string | undefined;

  invokeHost: string;
  invokePort: number;
  apiHost: string;
  apiPort: number;

  initTimeoutMs: number;
  /** How processes are frozen between invokes: auto picks cgroup2, then cgroup1, then sigstop. */
  freeze: 'auto' | 'cgroup2' | 'cgroup1' | 'sigstop' | 'none';
  /** Shut the sandbox down after this long without an invoke (0 = never), like Lambda reclaiming an idle one. */
  idleShutdownMs: number;
  /** The user the runtime and extensions run as (the init itself stays root to unpack and freeze). */
  runAs: RunAs | undefined;
  maxQueuedInvokes: number;
  /**
   * `AWS_LAMBDA_MAX_CONCURRENCY`: above 1 the environment runs as on Lambda Managed Instances, with this many
   * invocations in flight at once (docs/lambda-behaviour.md#managed-instances). Passed on to the runtime as given.
   */
  maxConcurrency: number;
  /** `PER_TENANT`: the environment serves one tenant at a time (docs/lambda-behaviour.md#tenant-isolation). */
  tenantIsolation: 'NONE' | 'PER_TENANT';
  /** Hot reload: watch the task root and the opt directory and reinitialise after a change. */
  watch: boolean;
  /** Bytes per second a streamed response may reach the caller at after its first 6 MB (docs/lambda-behaviour.md#response-streaming). */
  streamBandwidthBps: number;
  logLevel: string;
  logFormat: 'Text' | 'JSON';
  /** Environment the user gave the function (the container's own environment minus our settings). */
  userEnv: Record<string, string>;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`invalid ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number, unit = ''): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `"${raw}" is not a whole number`);
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(name, `${value}${unit} is outside the allowed range ${min}${unit} to ${max}${unit}`);
  }
  return value;
}

function address(env: Env, name: string, fallback: string): { host: string; port: number } {
  const raw = env[name] || fallback;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:]+):(\d+)$/.exec(raw);
  if (!match) throw new ConfigError(name, `"${raw}" is not host:port`);
  const port = Number(match[2]);
  if (port < 1 || port > 65535) throw new ConfigError(name, `port ${port} is outside 1 to 65535`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function absoluteDir(env: Env, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!path.isAbsolute(value)) throw new ConfigError(name, `"${value}" is not an absolute path`);
  return path.normalize(value);
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const found = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!found) throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(', ')}`);
  return found;
}

const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const ACCOUNT_ID = /^\d{12}$/;

/** Variables that configure the init itself and are not passed to the function. */
export const OWN_VARIABLES = [
  'LAMBDA_SANDBOX_OPT_DIR', 'LAMBDA_SANDBOX_TMP_DIR', 'LAMBDA_SANDBOX_FUNCTION_ZIP', 'LAMBDA_SANDBOX_LAYERS',
  'LAMBDA_SANDBOX_INVOKE_PORT', 'LAMBDA_SANDBOX_INVOKE_HOST', 'LAMBDA_SANDBOX_API_ADDRESS', 'LAMBDA_SANDBOX_RUNTIME_DIR',
  'LAMBDA_SANDBOX_INIT_TIMEOUT_MS', 'LAMBDA_SANDBOX_MAX_QUEUE', 'LAMBDA_SANDBOX_LOG_LEVEL', 'LAMBDA_SANDBOX_ACCOUNT_ID',
  'LAMBDA_SANDBOX_FREEZE', 'LAMBDA_SANDBOX_IDLE_SHUTDOWN_MS', 'LAMBDA_SANDBOX_NODEJS_RUNTIME', 'LAMBDA_SANDBOX_RUN_AS',
  'LAMBDA_SANDBOX_TENANT_ISOLATION', 'LAMBDA_SANDBOX_STREAM_BANDWIDTH_BPS', 'LAMBDA_SANDBOX_WATCH',
];

/** Lambda's cap on a streamed response after its first 6 MB: 2 MBps (DG/configuration-response-streaming). */
export const STREAM_BANDWIDTH_BPS = 2 * 1024 * 1024;
/** Managed Instances give Init max(130 s, the function timeout) (DG/lambda-managed-instances-execution-environment). */
const MANAGED_INSTANCES_MIN_INIT_MS = 130_000;

export function loadConfig(env: Env, argv: string[]): Config {
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME || 'test_function';
  if (!FUNCTION_NAME.test(functionName)) {
    throw new ConfigError('AWS_LAMBDA_FUNCTION_NAME', `"${functionName}" must be 1 to 64 letters, digits, '-' or '_'`);
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ConfigError('AWS_REGION', `"${region}" is not a region name`);
  const accountId = env.LAMBDA_SANDBOX_ACCOUNT_ID || '123456789012';
  if (!ACCOUNT_ID.test(accountId)) throw new ConfigError('LAMBDA_SANDBOX_ACCOUNT_ID', `"${accountId}" is not 12 digits`);
  const functionVersion = env.AWS_LAMBDA_FUNCTION_VERSION || '$LATEST';
  if (!/^(\$LATEST|\d+)$/.test(functionVersion)) {
    throw new ConfigError('AWS_LAMBDA_FUNCTION_VERSION', `"${functionVersion}" is neither $LATEST nor a version number`);
  }

  const layers = (env.LAMBDA_SANDBOX_LAYERS || '').split(':').filter((l) => l !== '');
  if (layers.length > MAX_LAYERS) {
    throw new ConfigError('LAMBDA_SANDBOX_LAYERS', `${TOO_MANY_LAYERS_TEXT} (${layers.length} given)`);
  }
  for (const layer of layers) {
    if (!path.isAbsolute(layer)) throw new ConfigError('LAMBDA_SANDBOX_LAYERS', `"${layer}" is not an absolute path`);
  }
  const functionZip = env.LAMBDA_SANDBOX_FUNCTION_ZIP || undefined;
  if (functionZip !== undefined && !path.isAbsolute(functionZip)) {
    throw new ConfigError('LAMBDA_SANDBOX_FUNCTION_ZIP', `"${functionZip}" is not an absolute path`);
  }

  // RIE style: the arguments are the runtime command, and a trailing word that is not a path is the handler.
  // A lone handler word (`docker run image index.handler`) leaves the command to bootstrap resolution.
  const args = argv.filter((a) => a !== '');
  const last = args[args.length - 1];
  const handlerArg = last !== undefined && !last.includes('/') ? last : undefined;
  const command = args.length === 1 && handlerArg !== undefined ? [] : args;
  const handler = env.AWS_LAMBDA_FUNCTION_HANDLER || env._HANDLER || handlerArg;

  const invoke = integer(env, 'LAMBDA_SANDBOX_INVOKE_PORT', 8080, 1, 65535);
  const api = address(env, 'LAMBDA_SANDBOX_API_ADDRESS', '127.0.0.1:9001');
  if (api.port === invoke && ['127.0.0.1', '0.0.0.0', 'localhost'].includes(api.host)) {
    throw new ConfigError('LAMBDA_SANDBOX_API_ADDRESS', `port ${api.port} is already the invoke port`);
  }
  const maxConcurrency = integer(env, 'AWS_LAMBDA_MAX_CONCURRENCY', 1, 1, 10_000);
  const managedInstances = maxConcurrency > 1;
  // Managed Instances write JSON logs only (docs/lambda-behaviour.md#managed-instances).
  const logFormat = managedInstances ? 'JSON' : oneOf(env, 'AWS_LAMBDA_LOG_FORMAT', 'Text', ['Text', 'JSON'] as const);
  const timeoutSeconds = integer(env, 'AWS_LAMBDA_FUNCTION_TIMEOUT', 3, 1, 900, ' s');
  const initTimeoutFallback = managedInstances ? Math.max(MANAGED_INSTANCES_MIN_INIT_MS, timeoutSeconds * 1000) : 10_000;

  const userEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !OWN_VARIABLES.includes(key)) userEnv[key] = value;
  }

  return {
    functionName,
    functionVersion,
    handler,
    memorySizeMb: integer(env, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 128, 128, 10240, ' MB'),
    timeoutSeconds,
    region,
    accountId,
    functionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME || `/aws/lambda/${functionName}`,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME || defaultLogStream(functionVersion),
    // The service sets provisioned-concurrency for environments it initialises ahead of invokes.
    initializationType: oneOf(env, 'AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand', ['on-demand', 'provisioned-concurrency'] as const),
    runtimeVersion: env.AWS_LAMBDA_RUNTIME_VERSION || 'provided:emulated',
    runtimeVersionSet: Boolean(env.AWS_LAMBDA_RUNTIME_VERSION),
    runtimeVersionArn: env.AWS_LAMBDA_RUNTIME_VERSION_ARN || `arn:aws:lambda:${region}::runtime:emulated`,
    taskRoot: absoluteDir(env, 'LAMBDA_TASK_ROOT', '/var/task'),
    optDir: absoluteDir(env, 'LAMBDA_SANDBOX_OPT_DIR', '/opt'),
    tmpDir: absoluteDir(env, 'LAMBDA_SANDBOX_TMP_DIR', '/tmp'),
    runtimeDir: absoluteDir(env, 'LAMBDA_SANDBOX_RUNTIME_DIR', '/var/runtime'),
    functionZip,
    layers,
    command,
    execWrapper: env.AWS_LAMBDA_EXEC_WRAPPER || undefined,
    nodejsBootstrap: env.LAMBDA_SANDBOX_NODEJS_RUNTIME || undefined,
    invokeHost: env.LAMBDA_SANDBOX_INVOKE_HOST || '0.0.0.0',
    invokePort: invoke,
    apiHost: api.host,
    apiPort: api.port,
    initTimeoutMs: integer(env, 'LAMBDA_SANDBOX_INIT_TIMEOUT_MS', initTimeoutFallback, 100, 900_000, ' ms'),
    freeze: oneOf(env, 'LAMBDA_SANDBOX_FREEZE', 'auto', ['auto', 'cgroup2', 'cgroup1', 'sigstop', 'none'] as const),
    idleShutdownMs: integer(env, 'LAMBDA_SANDBOX_IDLE_SHUTDOWN_MS', 0, 0, 86_400_000, ' ms'),
    runAs: runAs(env),
    maxQueuedInvokes: integer(env, 'LAMBDA_SANDBOX_MAX_QUEUE', 100, 0, 100_000),
    maxConcurrency,
    tenantIsolation: oneOf(env, 'LAMBDA_SANDBOX_TENANT_ISOLATION', 'NONE', ['NONE', 'PER_TENANT'] as const),
    watch: oneOf(env, 'LAMBDA_SANDBOX_WATCH', '0', ['0', '1'] as const) === '1',
    streamBandwidthBps: integer(env, 'LAMBDA_SANDBOX_STREAM_BANDWIDTH_BPS', STREAM_BANDWIDTH_BPS, 1_024, 10_000_000_000, ' bytes/s'),
    logLevel: oneOf(env, 'LAMBDA_SANDBOX_LOG_LEVEL', 'info', ['error', 'warn', 'info', 'debug'] as const),
    logFormat,
    userEnv,
  };
}

function runAs(env: Env): RunAs | undefined {
  const value = env.LAMBDA_SANDBOX_RUN_AS;
  if (value === undefined || value === '') return undefined;
  try {
    return parseRunAs(value);
  } catch (error) {
    throw new ConfigError('LAMBDA_SANDBOX_RUN_AS', (error as Error).message);
  }
}

function defaultLogStream(version: string): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const id = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `${day}/[${version}]${id}`;
}
