import * as crypto from 'node:crypto';
import { invalidParameter } from './api/errors';
import { parseLayerVersionArn } from './arn';
import { checkUnzippedTotal } from './code';
import { lambdaTimestamp, type LoggingConfig, type VersionConfig } from './model';
import type { Store } from './store/store';
import { checkEnvironment, checkHandler, checkRange, checkRuntime, isNodeRuntime, validationError } from './validation';

/** Lambda's defaults (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html). */
const DEFAULTS = { timeout: 3, memorySize: 128, ephemeralStorage: 512 } as const;

type Input = Record<string, unknown>;

/**
 * A configuration from CreateFunction's or UpdateFunctionConfiguration's members over `base` (for an update):
 * every member checked with Lambda's ranges and texts.
 */
export function applyConfiguration(store: Store, functionName: string, input: Input, base: VersionConfig | undefined,
  code: { blob: string; size: number; unzippedBytes: number }): VersionConfig {
  const runtime = input.Runtime ?? base?.runtime;
  checkRuntime(runtime);
  const handler = input.Handler !== undefined ? input.Handler : base?.handler;
  if (handler !== undefined) checkHandler(handler);
  else if (isNodeRuntime(runtime)) throw invalidParameter(`The Handler parameter is required for the ${runtime} runtime.`);
  const role = input.Role ?? base?.role;
  if (typeof role !== 'string' || !/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(role)) {
    throw validationError('role', role, 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
  }
  const timeout = input.Timeout ?? base?.timeout ?? DEFAULTS.timeout;
  checkRange('timeout', timeout, 1, 900);
  const memorySize = input.MemorySize ?? base?.memorySize ?? DEFAULTS.memorySize;
  checkRange('memorySize', memorySize, 128, 10240);
  const ephemeralStorage = (input.EphemeralStorage as { Size?: unknown } | undefined)?.Size ?? base?.ephemeralStorage ?? DEFAULTS.ephemeralStorage;
  checkRange('ephemeralStorage.size', ephemeralStorage, 512, 10240);
  const description = input.Description ?? base?.description ?? '';
  if (typeof description !== 'string' || description.length > 256) {
    throw validationError('description', description, 'Member must have length less than or equal to 256');
  }
  const environment = input.Environment !== undefined
    ? checkEnvironment((input.Environment as { Variables?: unknown } | null)?.Variables)
    : base?.environment ?? {};
  const layers = input.Layers !== undefined ? checkLayers(store, input.Layers, base?.layers ?? []) : base?.layers ?? [];
  checkUnzippedTotal(code.unzippedBytes, layers.map((arn) => layerVersion(store, arn, base?.layers).unzippedBytes));
  const architectures = input.Architectures ?? base?.architectures ?? ['x86_64'];
  if (!Array.isArray(architectures) || architectures.length !== 1 || !['x86_64', 'arm64'].includes(architectures[0])) {
    throw validationError('architectures', JSON.stringify(architectures), 'Member must have length less than or equal to 1 and each member must satisfy enum value set: [x86_64, arm64]');
  }
  return {
    version: '$LATEST',
    runtime, role, description, environment, layers,
    handler: handler as string | undefined,
    timeout: timeout as number,
    memorySize: memorySize as number,
    ephemeralStorage: ephemeralStorage as number,
    loggingConfig: loggingConfig(functionName, input.LoggingConfig, base?.loggingConfig),
    architectures: architectures as string[],
    codeBlob: code.blob,
    codeSize: code.size,
    unzippedBytes: code.unzippedBytes,
    lastModified: lambdaTimestamp(),
    revisionId: crypto.randomUUID(),
    state: base?.state ?? 'Pending',
    lastUpdateStatus: base ? 'InProgress' : 'Successful',
  };
}

function checkLayers(store: Store, layers: unknown, kept: string[]): string[] {
  if (!Array.isArray(layers) || layers.some((arn) => typeof arn !== 'string')) throw invalidParameter('Layers must be a list of layer version ARNs.');
  if (layers.length > 5) throw invalidParameter('Cannot reference more than 5 layers.');
  for (const arn of layers as string[]) layerVersion(store, arn, kept);
  return layers as string[];
}

/** A layer version by ARN; a deleted one only when the function already had it (`kept`). */
function layerVersion(store: Store, arn: string, kept: string[] = []) {
  const parsed = parseLayerVersionArn(arn);
  if (!parsed) {
    throw validationError('layers', arn, 'Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+');
  }
  const found = store.layers.get(parsed.name)?.versions[String(parsed.version)];
  if (!found || (found.deleted && !kept.includes(arn))) throw invalidParameter(`Layer version ${arn} does not exist.`);
  return found;
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

function loggingConfig(functionName: string, input: unknown, base: LoggingConfig | undefined): LoggingConfig {
  const given = (input ?? {}) as Partial<LoggingConfig>;
  const format = given.LogFormat ?? base?.LogFormat ?? 'Text';
  if (format !== 'Text' && format !== 'JSON') {
    throw validationError('loggingConfig.logFormat', format, 'Member must satisfy enum value set: [JSON, Text]');
  }
  const result: LoggingConfig = { LogFormat: format, LogGroup: given.LogGroup ?? base?.LogGroup ?? `/aws/lambda/${functionName}` };
  if (format === 'JSON') {
    const application = given.ApplicationLogLevel ?? base?.ApplicationLogLevel ?? 'INFO';
    const system = given.SystemLogLevel ?? base?.SystemLogLevel ?? 'INFO';
    if (!LOG_LEVELS.includes(application)) throw validationError('loggingConfig.applicationLogLevel', application, `Member must satisfy enum value set: [${LOG_LEVELS.join(', ')}]`);
    if (!['DEBUG', 'INFO', 'WARN'].includes(system)) throw validationError('loggingConfig.systemLogLevel', system, 'Member must satisfy enum value set: [DEBUG, INFO, WARN]');
    result.ApplicationLogLevel = application;
    result.SystemLogLevel = system;
  } else if (given.ApplicationLogLevel !== undefined || given.SystemLogLevel !== undefined) {
    throw invalidParameter('Log levels can only be set when the log format is JSON.');
  }
  return result;
}
