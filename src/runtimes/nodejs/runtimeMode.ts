/**
 * Which programming model the runtime offers, decided once at start (docs/nodejs-runtime.md):
 * - Node.js 24 and later behave as Lambda's `nodejs24.x`: async handlers only, no callback, no
 *   `context.succeed/fail/done`, no `callbackWaitsForEmptyEventLoop`, no waiting on 'beforeExit'.
 * - `AWS_LAMBDA_MAX_CONCURRENCY` above 1 is Lambda Managed Instances: worker threads, several invocations at once,
 *   the same async-only model on every Node.js major (Managed Instances starts at Node.js 22), JSON log lines.
 * - Otherwise (Node.js 22 and earlier, one invocation at a time) the callback model of Lambda's earlier runtimes.
 */
export interface RuntimeMode {
  /** The Node.js major version the runtime runs on. */
  nodeMajor: number;
  /** Several invocations at once (Managed Instances), or undefined for one at a time. */
  maxConcurrency: number | undefined;
  /** Callback handlers, context.succeed/fail/done, callbackWaitsForEmptyEventLoop and the 'beforeExit' wait. */
  callbackModel: boolean;
}

/** The first major version whose Lambda runtime (`nodejs24.x`) removed callback-style handlers. */
export const FIRST_ASYNC_ONLY_MAJOR = 24;

export function nodeMajorOf(version: string): number {
  const major = Number.parseInt(version.replace(/^v/, ''), 10);
  if (Number.isNaN(major)) throw new Error(`Cannot read the Node.js major version from ${JSON.stringify(version)}`);
  return major;
}

/** AWS_LAMBDA_MAX_CONCURRENCY as a number above 1, or undefined (unset, 1, or not a positive integer). */
export function maxConcurrencyFrom(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.AWS_LAMBDA_MAX_CONCURRENCY?.trim();
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value > 1 ? value : undefined;
}

export function runtimeModeFrom(env: NodeJS.ProcessEnv, nodeVersion: string = process.versions.node): RuntimeMode {
  const nodeMajor = nodeMajorOf(nodeVersion);
  const maxConcurrency = maxConcurrencyFrom(env);
  return { nodeMajor, maxConcurrency, callbackModel: nodeMajor < FIRST_ASYNC_ONLY_MAJOR && maxConcurrency === undefined };
}
