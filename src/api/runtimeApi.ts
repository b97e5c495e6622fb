import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Environment } from '../lifecycle/environment';
import type { Invocation } from '../invoke/invocation';
import { InvalidRequestIdError, type RuntimeSession } from '../lifecycle/runtimeSession';
import { TransitionError } from '../lifecycle/stateMachine';
import { BodyTooLargeError, BodyTruncatedError, header, readBody, sendJson } from './http';
import { Router } from './router';
import { DRAIN_LIMIT_BYTES, MAX_RESPONSE_BYTES, MAX_STREAMED_RESPONSE_BYTES } from './payloadLimits';


const ACCEPTED = { status: 'OK' };

function apiError(res: ServerResponse, status: number, errorType: string, errorMessage: string): void {
  sendJson(res, status, { errorMessage, errorType });
}

/** Answers the errors every Runtime API call shares: a wrong state, a wrong request id, no runtime at all. */
function answerFailure(res: ServerResponse, error: unknown): void {
  if (error instanceof TransitionError) apiError(res, 403, 'InvalidStateTransition', error.message);
  else if (error instanceof InvalidRequestIdError) apiError(res, 400, 'InvalidRequestID', error.message);
  else throw error;
}

function eventHeaders(invocation: Invocation): Record<string, string> {
  const r = invocation.request;
  const headers: Record<string, string> = {
    'Content-Type': r.contentType,
    'Lambda-Runtime-Aws-Request-Id': r.requestId,
    'Lambda-Runtime-Deadline-Ms': String(invocation.deadlineMs),
    'Lambda-Runtime-Invoked-Function-Arn': r.invokedFunctionArn,
    'Lambda-Runtime-Trace-Id': r.traceId,
  };
  if (r.clientContext) headers['Lambda-Runtime-Client-Context'] = r.clientContext;
  if (r.cognitoIdentity) headers['Lambda-Runtime-Cognito-Identity'] = r.cognitoIdentity;
  if (r.tenantId) headers['Lambda-Runtime-Aws-Tenant-Id'] = r.tenantId;
  for (const [key, value] of Object.entries(headers)) if (value === '') delete headers[key];
  return headers;
}

/**
 * The Runtime API (spec 2) over the environment's current runtime session. Calls from a runtime that has been reset
 * away find no session and get a 500 ("the runtime should exit"), as Lambda's container error.
 */
export function runtimeRoutes(env: Environment, router: Router): Router {
  const withSession = (handler: (session: RuntimeSession, req: IncomingMessage, res: ServerResponse, id: string) => void | Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse, params: string[]): void | Promise<void> => {
      const session = env.sandbox?.runtime;
      if (!session) {
        apiError(res, 500, 'Runtime.Unknown', 'No runtime is running in this environment; the runtime should exit');
        return;
      }
      return handler(session, req, res, params[0] ?? '');
    };

  const base = '/2018-06-01/runtime';
  router.on('GET', new RegExp(`^${base}/invocation/next$`), withSession((session, req, res) => {
    let alive = true;
    res.once('close', () => (alive = false));
    try {
      session.next({
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
      answerFailure(res, error);
    }
  }));

  /** `/response` and `/error`: the state machine admits the result for the in-flight invocation, or answers why not. */
  const withResult = (kind: 'InvocationResponse' | 'InvocationErrorResponse',
    handler: (invocation: Invocation, req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    withSession(async (session, req, res, id) => {
      let invocation: Invocation;
      try {
        invocation = session.beginResult(id, kind);
      } catch (error) {
        return answerFailure(res, error);
      }
      try {
        await handler(invocation, req, res);
      } finally {
        session.endResult();
      }
    });

  router.on('POST', new RegExp(`^${base}/invocation/([^/]*)/response$`), withResult('InvocationResponse', async (invocation, req, res) => {
    const mode = header(req, 'lambda-runtime-function-response-mode');
    if (mode === undefined) await bufferedResponse(invocation, req, res);
    else if (mode.toLowerCase() === 'streaming') await streamedResponse(invocation, req, res);
    else {
      invocation.complete(errorOutcome('Runtime.InvalidResponseModeHeader', `Invalid function response mode: ${mode}`));
      apiError(res, 400, 'InvalidFunctionResponseMode', 'Invalid function response mode');
    }
  }));

  router.on('POST', new RegExp(`^${base}/invocation/([^/]*)/error$`), withResult('InvocationErrorResponse', async (invocation, req, res) => {
    try {
      const report = await readErrorReport(req);
      invocation.complete({ kind: 'error', status: 'success', errorType: report.errorType, body: report.body });
      sendJson(res, 202, ACCEPTED);
    } catch (error) {
      invocation.complete(errorOutcome('Runtime.TruncatedResponse', 'The error response was truncated'));
      refuseBody(res, error);
    }
  }));

  router.on('POST', new RegExp(`^${base}/init/error$`), withSession(async (session, req, res) => {
    if (!session.state.can('InitError')) {
      return answerFailure(res, new TransitionError('runtime', session.state.state, 'InitError'));
    }
    let report;
    try {
      report = await readErrorReport(req);
    } catch (error) {
      report = { errorType: 'Runtime.Unknown', body: errorBody('Runtime.Unknown', 'The init error report was truncated') };
      refuseBody(res, error);
    }
    try {
      session.reportInitError(report);
      if (!res.headersSent) sendJson(res, 202, ACCEPTED);
    } catch (error) {
      if (!res.headersSent) answerFailure(res, error);
    }
  }));

  router.on('GET', /^\/2018-06-01\/ping$/, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('pong');
  });
  return router;
}

export function newRuntimeRouter(): Router {
  return new Router(
    (req, res) => apiError(res, 404, 'InvalidRequest', `No such endpoint: ${req.method} ${req.url}`),
    (req, res) => apiError(res, 405, 'InvalidRequest', `Method ${req.method} not allowed on ${req.url}`),
  );
}

function errorBody(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorMessage, errorType }));
}

function errorOutcome(errorType: string, errorMessage: string) {
  return { kind: 'error' as const, status: 'error' as const, errorType, body: errorBody(errorType, errorMessage) };
}

/** Node's server discards the unread rest of a refused body and keeps the runtime's keep-alive connection. */
function refuseBody(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  if (error instanceof BodyTooLargeError) {
    apiError(res, 413, 'RequestEntityTooLarge', `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`);
  } else if (error instanceof BodyTruncatedError) {
    apiError(res, 400, 'TruncatedHTTPRequest', 'HTTP request detected as truncated');
  } else {
    throw error;
  }
}

async function bufferedResponse(invocation: Invocation, req: IncomingMessage, res: ServerResponse): Promise<void> {
  invocation.markResponseStart();
  try {
    const body = await readBody(req, MAX_RESPONSE_BYTES, DRAIN_LIMIT_BYTES);
    invocation.complete({ kind: 'success', contentType: header(req, 'content-type') ?? 'application/json', body });
    sendJson(res, 202, ACCEPTED);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      invocation.complete(errorOutcome('Function.ResponseSizeTooLarge',
        `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`));
    } else if (error instanceof BodyTruncatedError) {
      invocation.complete(errorOutcome('Runtime.TruncatedResponse', 'The function response was truncated'));
    }
    refuseBody(res, error);
  }
}

/** Streaming mode (spec 2.3): chunks go to the caller as they arrive; trailers may carry a mid-stream error. */
function streamedResponse(invocation: Invocation, req: IncomingMessage, res: ServerResponse): Promise<void> {
  invocation.streamStart(header(req, 'content-type') ?? 'application/octet-stream');
  let received = 0;
  return new Promise((resolve) => {
    const finish = (outcomeError?: { errorType: string; body: Buffer }): void => {
      req.removeAllListeners('data');
      if (outcomeError) {
        invocation.complete({ kind: 'error', status: 'error', errorType: outcomeError.errorType, body: outcomeError.body });
      } else {
        invocation.complete({ kind: 'success', contentType: header(req, 'content-type') ?? 'application/octet-stream', body: undefined });
      }
      resolve();
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_STREAMED_RESPONSE_BYTES) {
        apiError(res, 413, 'RequestEntityTooLarge', `Exceeded maximum allowed payload size (${MAX_STREAMED_RESPONSE_BYTES} bytes).`);
        finish({ errorType: 'Function.ResponseSizeTooLarge', body: errorBody('Function.ResponseSizeTooLarge',
          `Response payload size exceeded maximum allowed payload size (${MAX_STREAMED_RESPONSE_BYTES} bytes).`) });
        return;
      }
      invocation.streamChunk(chunk);
    });
    req.once('end', () => {
      const errorType = req.trailers['lambda-runtime-function-error-type'];
      const encodedBody = req.trailers['lambda-runtime-function-error-body'];
      if (!res.headersSent) sendJson(res, 202, ACCEPTED);
      if (errorType) {
        const body = encodedBody ? Buffer.from(encodedBody, 'base64') : errorBody(errorType, errorType);
        finish({ errorType, body });
      } else {
        finish();
      }
    });
    req.once('close', () => {
      if (!req.complete) finish({ errorType: 'Runtime.TruncatedResponse', body: errorBody('Runtime.TruncatedResponse', 'The streamed response was truncated') });
    });
  });
}

/** Reads an /error or /init/error report: the type header and the body, which is forwarded as Lambda does. */
async function readErrorReport(req: IncomingMessage): Promise<{ errorType: string; body: Buffer }> {
  const headerType = header(req, 'lambda-runtime-function-error-type');
  const raw = await readBody(req, MAX_RESPONSE_BYTES);
  let parsed: Record<string, unknown> | undefined;
  try {
    const value: unknown = JSON.parse(raw.toString());
    if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  const errorType = headerType ?? (typeof parsed?.errorType === 'string' ? parsed.errorType : 'Runtime.Unknown');
  if (!parsed) return { errorType, body: errorBody(errorType, raw.length > 0 ? raw.toString() : errorType) };
  if ('errorCause' in parsed && /error\.cause\+json/.test(header(req, 'content-type') ?? '')) {
    delete parsed.errorCause;
    return { errorType, body: Buffer.from(JSON.stringify(parsed)) };
  }
  return { errorType, body: raw };
}
