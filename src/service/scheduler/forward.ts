import * as http from 'node:http';
import type { Environment } from './environment';

/** The paths an environment's Invoke API answers, whatever the function is called (README: "The Invoke API"). */
export const ENVIRONMENT_PATHS = {
  buffered: '/2015-03-31/functions/function/invocations',
  streaming: '/2021-11-15/functions/function/response-streaming-invocations',
} as const;

/** Request headers of Invoke that the environment acts on (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). */
const FORWARDED = ['content-type', 'x-amz-log-type', 'x-amz-client-context', 'x-amz-tenant-id', 'x-amzn-trace-id'];

export interface ForwardRequest {
  kind: keyof typeof ENVIRONMENT_PATHS;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Raised when the environment did not answer at all: it died or its connection broke. */
export class EnvironmentLostError extends Error {
  constructor(cause: Error) {
    super(`the execution environment stopped answering: ${cause.message}`);
    this.name = 'EnvironmentLostError';
  }
}

/**
 * Sends one invoke to an environment, always as RequestResponse (the service runs Event invocations itself),
 * and resolves with its response as it starts to arrive.
 */
export function forwardInvoke(environment: Environment, request: ForwardRequest): Promise<http.IncomingMessage> {
  const headers: Record<string, string> = { 'content-length': String(request.body.length), 'x-amz-invocation-type': 'RequestResponse' };
  for (const name of FORWARDED) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  headers['content-type'] ??= 'application/json';
  return new Promise((resolve, reject) => {
    const outgoing = http.request(`${environment.url}${ENVIRONMENT_PATHS[request.kind]}`, { method: 'POST', headers, agent: environment.agent },
      resolve);
    outgoing.on('error', (error) => reject(new EnvironmentLostError(error)));
    outgoing.end(request.body);
  });
}

/** Response headers not to copy to the caller (hop-by-hop). */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date']);
