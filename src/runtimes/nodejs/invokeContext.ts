import type { Invocation } from './runtimeApiClient';

/** The invocation-dependent part of the handler's `context` (docs/lambda-behaviour.md#runtime-api headers + the function's environment). */
export interface InvokeData {
  functionName: string | undefined;
  functionVersion: string | undefined;
  /** A string, as Lambda's Node.js runtime gives it (it comes from the environment). */
  memoryLimitInMB: string | undefined;
  logGroupName: string | undefined;
  logStreamName: string | undefined;
  invokedFunctionArn: string | undefined;
  awsRequestId: string;
  tenantId: string | undefined;
  clientContext: unknown;
  identity: unknown;
  getRemainingTimeInMillis: () => number;
}

function header(invocation: Invocation, name: string): string | undefined {
  const value = invocation.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJsonHeader(value: string | undefined, what: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new Error(`Cannot parse ${what} as json: ${String(error)}`);
  }
}

/** Copies the trace header into `_X_AMZN_TRACE_ID` for this invoke (and removes a stale one when there is none). */
export function forwardTraceId(invocation: Invocation): void {
  const trace = header(invocation, 'lambda-runtime-trace-id');
  if (trace) process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;
}

/** Throws (a plain Error, reported as the invoke's error) when the client context or identity is not JSON. */
export function invokeData(invocation: Invocation, env: NodeJS.ProcessEnv): InvokeData {
  const deadline = Number(header(invocation, 'lambda-runtime-deadline-ms'));
  return {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseJsonHeader(header(invocation, 'lambda-runtime-client-context'), 'ClientContext'),
    identity: parseJsonHeader(header(invocation, 'lambda-runtime-cognito-identity'), 'CognitoIdentity'),
    invokedFunctionArn: header(invocation, 'lambda-runtime-invoked-function-arn'),
    awsRequestId: invocation.requestId,
    tenantId: header(invocation, 'lambda-runtime-aws-tenant-id'),
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}
