import type { Config } from '../config';

/** Variables Lambda sets itself; a user value for one of these is replaced (docs/lambda-behaviour.md#environment-variables). */
export const RESERVED = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR', 'TZ',
];

/** Joins Lambda's list with the inherited one, Lambda's entries first and nothing twice. */
function searchPath(lambda: string[], inherited: string | undefined): string {
  const seen = new Set<string>();
  return [...lambda, ...(inherited ?? '').split(':')]
    .filter((entry) => entry !== '' && !seen.has(entry) && seen.add(entry))
    .join(':');
}

/** The environment of the runtime process, as Lambda gives it (docs/lambda-behaviour.md#environment-variables), with paths from Config. */
export function runtimeEnvironment(config: Config, managedRuntime?: string): Record<string, string> {
  const user = config.userEnv;
  const nodeMajor = process.versions.node.split('.')[0];
  const env: Record<string, string> = {
    LANG: 'en_US.UTF-8',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    // Lambda points these at its X-Ray daemon; locally nothing listens, and loopback keeps stray UDP on the machine.
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    _AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1',
    _AWS_XRAY_DAEMON_PORT: '2000',
    ...user,
    PATH: searchPath(['/var/lang/bin', '/usr/local/bin', '/usr/bin/', '/bin', `${config.optDir}/bin`], user.PATH),
    LD_LIBRARY_PATH: searchPath(
      ['/var/lang/lib', '/lib64', '/usr/lib64', config.runtimeDir, `${config.runtimeDir}/lib`, config.taskRoot,
        `${config.taskRoot}/lib`, `${config.optDir}/lib`],
      user.LD_LIBRARY_PATH,
    ),
    NODE_PATH: searchPath(
      [`${config.optDir}/nodejs/node${nodeMajor}/node_modules`, `${config.optDir}/nodejs/node_modules`,
        `${config.runtimeDir}/node_modules`, config.runtimeDir, config.taskRoot],
      user.NODE_PATH,
    ),
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    AWS_LAMBDA_FUNCTION_NAME: config.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: config.functionVersion,
    AWS_LAMBDA_INITIALIZATION_TYPE: config.initializationType,
    AWS_LAMBDA_LOG_GROUP_NAME: config.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: config.logStreamName,
    AWS_LAMBDA_RUNTIME_API: `${config.apiHost.includes(':') ? `[${config.apiHost}]` : config.apiHost}:${config.apiPort}`,
    LAMBDA_TASK_ROOT: config.taskRoot,
    LAMBDA_RUNTIME_DIR: config.runtimeDir,
    TZ: ':UTC',
    PWD: config.taskRoot,
  };
  delete env._HANDLER;
  delete env._X_AMZN_TRACE_ID;
  delete env.AWS_EXECUTION_ENV;
  delete env.AWS_LAMBDA_FUNCTION_HANDLER;
  if (config.handler !== undefined) env._HANDLER = config.handler;
  if (managedRuntime !== undefined) env.AWS_EXECUTION_ENV = managedRuntime;
  // Managed Instances log JSON only (docs/lambda-behaviour.md#managed-instances).
  if (config.maxConcurrency > 1) env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
  return env;
}

/** Reserved variables the user set to something else than Lambda will; the init warns about each once. */
export function overriddenReserved(config: Config, env: Record<string, string>): string[] {
  return RESERVED.filter((name) => config.userEnv[name] !== undefined && env[name] !== undefined && config.userEnv[name] !== env[name]);
}
