import type { Place } from '../arn';
import type { VersionConfig } from '../model';
import { isNodeRuntime } from '../validation';

export type InitializationType = 'on-demand' | 'provisioned-concurrency';

/**
 * The environment variables Lambda gives a function version's environment
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * in the names the image's init reads (README, Configuration).
 */
export function environmentVariables(place: Place, functionName: string, config: VersionConfig,
  initializationType: InitializationType): Record<string, string> {
  const runtime = config.runtime;
  const env: Record<string, string> = {
    ...config.environment,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: config.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySize),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(config.timeout),
    AWS_LAMBDA_INITIALIZATION_TYPE: initializationType,
    AWS_REGION: place.region,
    AWS_DEFAULT_REGION: place.region,
    LAMBDA_SANDBOX_ACCOUNT_ID: place.account,
    AWS_LAMBDA_LOG_FORMAT: config.loggingConfig.LogFormat,
    AWS_LAMBDA_LOG_GROUP_NAME: config.loggingConfig.LogGroup,
    AWS_LAMBDA_RUNTIME_VERSION: runtimeVersion(runtime),
  };
  if (config.handler !== undefined) env._HANDLER = config.handler;
  if (isNodeRuntime(runtime)) env.AWS_EXECUTION_ENV = `AWS_Lambda_${runtime}`;
  if (config.loggingConfig.LogFormat === 'JSON' && config.loggingConfig.ApplicationLogLevel) {
    env.AWS_LAMBDA_LOG_LEVEL = config.loggingConfig.ApplicationLogLevel;
  }
  return env;
}

/** INIT_START's "Runtime Version" in Lambda's form (`nodejs:24.v48`, `provided:al2023.v91`), marked as emulated. */
function runtimeVersion(runtime: string): string {
  const node = /^nodejs(\d+)\.x$/.exec(runtime);
  if (node) return `nodejs:${node[1]}.emulated`;
  const provided = /^provided(?:\.(\w+))?$/.exec(runtime);
  return provided?.[1] ? `provided:${provided[1]}.emulated` : 'provided:emulated';
}
