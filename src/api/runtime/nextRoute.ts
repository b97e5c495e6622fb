import type { ServerResponse } from 'node:http';
import type { Invocation } from '../../invoke/invocation';
import type { RuntimePort } from '../../lifecycle/ports';
import { answerRefusal } from './answers';

/** The headers that carry an event to the runtime, without the empty ones, and its Content-Length. */
function eventHeaders(invocation: Invocation, contentLength: number): Record<string, string | number> {
  const r = invocation.request;
  const headers: Record<string, string | number> = {};
  if (r.contentType) headers['Content-Type'] = r.contentType;
  if (r.requestId) headers['Lambda-Runtime-Aws-Request-Id'] = r.requestId;
  headers['Lambda-Runtime-Deadline-Ms'] = String(invocation.deadline?.epochMs ?? 0);
  if (r.invokedFunctionArn) headers['Lambda-Runtime-Invoked-Function-Arn'] = r.invokedFunctionArn;
  if (r.traceId) headers['Lambda-Runtime-Trace-Id'] = r.traceId;
  if (invocation.invocationId) headers['Lambda-Runtime-Invocation-Id'] = invocation.invocationId;
  if (r.clientContext) headers['Lambda-Runtime-Client-Context'] = r.clientContext;
  if (r.cognitoIdentity) headers['Lambda-Runtime-Cognito-Identity'] = r.cognitoIdentity;
  if (r.tenantId) headers['Lambda-Runtime-Aws-Tenant-Id'] = r.tenantId;
  headers['Content-Length'] = contentLength;
  return headers;
}

/** `GET /runtime/invocation/next`: parks the request until there is an event for the runtime. */
export function nextRoute(runtime: RuntimePort) {
  return (_req: unknown, res: ServerResponse): void => {
    let alive = true;
    res.on('close', () => (alive = false));
    try {
      runtime.next({
        get alive() {
          return alive && !res.writableEnded;
        },
        deliver(invocation) {
          const body = invocation.request.payload;
          res.writeHead(200, eventHeaders(invocation, body.length));
          res.end(body);
        },
      });
    } catch (error) {
      answerRefusal(res, error);
    }
  };
}
