import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS } from '../asyncInvoker';
import { findFunction, resolveVersion, type ServiceContext } from '../context';
import type { FunctionRecord, VersionConfig } from '../model';
import { EnvironmentLostError, HOP_BY_HOP, type ForwardRequest } from '../scheduler/forward';
import { conflict, invalidParameter, invalidRequestContent, requestTooLarge } from './errors';
import { readBody, sendJson } from './http';
import type { RequestContext, Router } from './router';

/** Payload quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
const SYNC_PAYLOAD_LIMIT = 6_291_456;
const ASYNC_PAYLOAD_LIMIT = 1_048_576;

/** Invoke and InvokeWithResponseStream (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). */
export function invokeRoutes(router: Router, context: ServiceContext): void {
  router.on('POST', '/2015-03-31/functions/{FunctionName}/invocations', (request) => invoke(context, request, 'buffered'));
  router.on('POST', '/2021-11-15/functions/{FunctionName}/response-streaming-invocations', (request) => invoke(context, request, 'streaming'));
}

async function invoke(context: ServiceContext, { request, response, params, query, requestId }: RequestContext,
  kind: ForwardRequest['kind']): Promise<undefined | { status: number }> {
  const body = await readBody(request, SYNC_PAYLOAD_LIMIT, 'InvokeFunction');
  const { record, qualifier } = findFunction(context, params.FunctionName, query.get('Qualifier'));
  const config = resolveVersion(context, record, qualifier, true);
  if (config.state !== 'Active') {
    throw conflict(`The operation cannot be performed at this time. The function is currently in the following state: ${config.state}`);
  }
  const type = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
  const allowed = kind === 'streaming' ? ['RequestResponse', 'DryRun'] : ['RequestResponse', 'Event', 'DryRun'];
  if (!allowed.includes(type)) {
    throw invalidParameter(`Unsupported invocation type ${type}; one of ${allowed.join(', ')}.`);
  }
  const forward: ForwardRequest = { kind, headers: request.headers, body };
  if (type === 'DryRun') {
    response.writeHead(204, { 'x-amzn-requestid': requestId, 'x-amz-executed-version': config.version });
    response.end();
    return undefined;
  }
  if (type === 'Event') {
    if (body.length > ASYNC_PAYLOAD_LIMIT) throw requestTooLarge(`Request must be smaller than ${ASYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`);
    checkJson(body);
    enqueue(context, record, config, forward, requestId);
    response.writeHead(202, { 'x-amzn-requestid': requestId, 'content-length': '0' });
    response.end();
    return undefined;
  }
  try {
    await context.scheduler.invoke(record.name, config, forward, (answer) => relay(answer, response));
  } catch (error) {
    if (!(error instanceof EnvironmentLostError)) throw error;
    // The whole environment went away mid-invoke (killed, out of memory): Lambda reports the runtime's exit.
    sendJson(response, 200, {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
    }, { 'x-amz-function-error': 'Unhandled', 'x-amzn-requestid': requestId, 'x-amz-executed-version': config.version });
  }
  return undefined;
}

function enqueue(context: ServiceContext, record: FunctionRecord, config: VersionConfig, request: ForwardRequest, requestId: string): void {
  context.asyncInvoker.enqueue({
    requestId, functionName: record.name, config, request,
    maximumRetryAttempts: record.eventInvokeConfig?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    maximumEventAgeSeconds: record.eventInvokeConfig?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
    enqueuedAt: Date.now(),
  });
}

function checkJson(body: Buffer): void {
  if (body.length === 0) return;
  try {
    JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`);
  }
}

/** Copies the environment's answer (status, Lambda's headers, body as it streams) to the caller. */
function relay(answer: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  response.writeHead(answer.statusCode ?? 502, headers);
  return new Promise((resolve, reject) => {
    answer.pipe(response);
    answer.on('end', resolve);
    answer.on('error', reject);
    response.on('close', resolve);
  });
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

export const newRequestId = () => crypto.randomUUID();
