import type { ServerResponse } from 'node:http';
import type { Invocation } from '../../invoke/invocation';
import type { RuntimePort } from '../../lifecycle/ports';
import { answerRefusal } from './answers';

/** The headers that carry an event to the runtime. */
function eventHeaders(invocation: Invocation): Record<string, string> {
  const r = invocation.request;
  const headers: Record<string, string> = {
    'Content-Type': r.contentType,
    'Lambda-Runtime-Aws-Request-Id': r.requestId,
    'Lambda-Runtime-Deadline-Ms': String(invocation.deadline?.epochMs ?? 0),
    'Lambda-Runtime-Invoked-Function-Arn': r.invokedFunctionArn,
    'Lambda-Runtime-Trace-Id': r.traceId,
    'Lambda-Runtime-Invocation-Id': invocation.invocationId,
  };
  if (r.clientContext) headers['Lambda-Runtime-Client-Context'] = r.clientContext;
  if (r.cognitoIdentity) headers['Lambda-Runtime-Cognito-Identity'] = r.cognitoIdentity;
  if (r.tenantId) headers['Lambda-Runtime-Aws-Tenant-Id'] = r.tenantId;
  for (const [key, value] of Object.entries(headers)) if (value === '') delete headers[key];
  return headers;
}

/** `GET /runtime/invocation/next`: parks the request until there is an event for the runtime. */
export function nextRoute(runtime: RuntimePort) {
  return (_req: unknown, res: ServerResponse): void => {
    let alive = true;
    res.once('close', () => (alive = false));
    try {
      runtime.next({
        get alive() {
          return alive && !res.writableEnded;
        },
        deliver(invocation) {
          const body = invocation.request.payload;
          res.writeHead(200, { ...eventHeaders(invocation), 'Content-Length': body.length });
          res.end(body);
        },
      });
    } catch (error) {
      answerRefusal(res, error);
    }
  };
}
