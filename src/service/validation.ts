import { invalidParameter, LambdaError } from './api/errors';

/**
 * Checks of request members, with the errors Lambda answers. Constraint violations of the API model come from
 * AWS's request validation as `ValidationException` ("1 validation error detected: ..."); semantic problems are
 * `InvalidParameterValueException` (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html).
 */
export function validationError(member: string, value: unknown, constraint: string): LambdaError {
  return new LambdaError('ValidationException', 400,
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

/** Runtimes whose functions this service runs: the built-in Node.js runtime, or the zip's bootstrap. */
export const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;
export const PROVIDED_RUNTIMES = ['provided', 'provided.al2', 'provided.al2023'] as const;
export const SUPPORTED_RUNTIMES: readonly string[] = [...NODE_RUNTIMES, ...PROVIDED_RUNTIMES];

export const isNodeRuntime = (runtime: string) => (NODE_RUNTIMES as readonly string[]).includes(runtime);

const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const LAYER_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const ALIAS_NAME = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;
const HANDLER = /^[^\s]+$/;
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;

export function checkFunctionName(name: string, member = 'functionName'): void {
  if (!FUNCTION_NAME.test(name)) {
    throw validationError(member, name, 'Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length less than or equal to 64');
  }
}

export function checkLayerName(name: string): void {
  if (!LAYER_NAME.test(name)) {
    throw validationError('layerName', name, 'Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length less than or equal to 64');
  }
}

export function checkAliasName(name: string): void {
  if (name.length > 128 || !ALIAS_NAME.test(name)) {
    throw validationError('name', name, 'Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)');
  }
}

export function checkRuntime(runtime: unknown): asserts runtime is string {
  if (typeof runtime !== 'string' || !SUPPORTED_RUNTIMES.includes(runtime)) {
    throw invalidParameter(`The runtime parameter of ${String(runtime)} is not supported by lambda-sandbox serve. ` +
      `Supported runtimes: ${SUPPORTED_RUNTIMES.join(', ')} (Node.js runtimes run the built-in Node.js runtime, ` +
      'provided runtimes the zip\'s bootstrap).');
  }
}

export function checkHandler(handler: unknown): void {
  if (typeof handler !== 'string' || handler.length > 128 || !HANDLER.test(handler)) {
    throw validationError('handler', handler, 'Member must satisfy regular expression pattern: [^\\s]+ and have length less than or equal to 128');
  }
}

export function checkRange(member: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw validationError(member, value, 'Member must be an integer');
  }
  if (value < min) throw validationError(member, value, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validationError(member, value, `Member must have value less than or equal to ${max}`);
}

/** Variables Lambda sets itself; a function may not (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html). */
const RESERVED_KEYS = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);
const ENVIRONMENT_QUOTA_BYTES = 4096;

export function checkEnvironment(variables: unknown): Record<string, string> {
  if (variables === undefined || variables === null) return {};
  if (typeof variables !== 'object' || Array.isArray(variables)) throw invalidParameter('Environment.Variables must be a map of strings.');
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables as Record<string, unknown>)) {
    if (!ENV_KEY.test(key)) {
      throw validationError('environment.variables', '[' + key + ']', 'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]');
    }
    if (typeof value !== 'string') throw invalidParameter(`Environment variable ${key} must be a string.`);
    result[key] = value;
  }
  const reserved = Object.keys(result).filter((key) => RESERVED_KEYS.has(key));
  if (reserved.length > 0) {
    throw invalidParameter('Lambda was unable to configure your environment variables because the environment variables you ' +
      'have provided contains reserved keys that are currently not supported for modification. Reserved keys used in ' +
      `this request: ${reserved.join(', ')}`);
  }
  const measured = JSON.stringify(result);
  if (Buffer.byteLength(measured) > ENVIRONMENT_QUOTA_BYTES) {
    throw invalidParameter('Lambda was unable to configure your environment variables because the environment variables you ' +
      `have provided exceeded the 4KB limit. String measured: ${measured}`);
  }
  return result;
}
