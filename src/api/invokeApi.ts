import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config';
import { DRAIN_LIMIT_BYTES, MAX_ASYNC_REQUEST_BYTES, MAX_CLIENT_CONTEXT_BYTES, MAX_SYNC_REQUEST_BYTES } from './payloadLimits';
import type { Environment } from '../lifecycle/environment';
import { Invocation, type InvokeRequest } from '../invoke/invocation';
import type { InvokeQueue } from '../invoke/invokeQueue';
import type { LogStream } from '../telemetry/logStream';
import { errors, sendServiceError, ServiceError } from './awsErrors';
import { BodyTooLargeError, BodyTruncatedError, closeAfterResponse, header, readBody, sendJson } from './http';
import { BufferedReply, DiscardedReply, EventStreamReply, type InvokeReply } from './invokeReplies';
import { Router } from './router';

export interface InvokeApiDeps {
  config: Config;
  environment: Environment;
  queue: InvokeQueue;
  logStream: LogStream;
  /** `ready` once the first Init has finished (successfully or not), until shutdown begins. */
  status: () => 'initializing' | 'ready' | 'shutting-down';
}

type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/**
 * Which function a path names (spec 5.1, 5.3): RIE's literal `function`, the configured name, a full or partial
 * ARN, each optionally qualified. Returns the ARN the caller used, or throws ResourceNotFoundException.
 */
export function resolveFunctionName(config: Config, name: string, qualifierParam: string | null): string {
  const unqualifiedArn = config.functionArn;
  let base = name;
  let qualifier: string | undefined;
  const arn = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::(.+))?$/.exec(name);
  const partial = /^(\d{12}):function:([^:]+)(?::(.+))?$/.exec(name);
  if (arn) {
    if (arn[1] !== config.region || arn[2] !== config.accountId) throw errors.functionNotFound(name);
    base = arn[3];
    qualifier = arn[4];
  } else if (partial) {
    if (partial[1] !== config.accountId) throw errors.functionNotFound(`arn:aws:lambda:${config.region}:${name}`);
    base = partial[2];
    qualifier = partial[3];
  } else if (name.includes(':')) {
    [base, qualifier] = [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)];
  }
  if (qualifierParam !== null && qualifierParam !== '') {
    if (qualifier !== undefined && qualifier !== qualifierParam) {
      throw errors.invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    qualifier = qualifierParam;
  }
  if (base !== config.functionName && base !== 'function') throw errors.functionNotFound(`${unqualifiedArn.replace(/[^:]+$/, base)}`);
  if (qualifier !== undefined && qualifier !== '$LATEST' && qualifier !== config.functionVersion) {
    throw errors.functionNotFound(`${unqualifiedArn}:${qualifier}`);
  }
  return qualifier === undefined ? unqualifiedArn : `${unqualifiedArn}:${qualifier}`;
}

function invocationType(req: IncomingMessage, streaming: boolean): InvocationType {
  const value = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  const allowed: InvocationType[] = streaming ? ['RequestResponse', 'DryRun'] : ['RequestResponse', 'Event', 'DryRun'];
  const found = allowed.find((t) => t === value);
  if (!found) {
    throw errors.invalidParameter(`1 validation error detected: Value '${value}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return found;
}

function wantsTail(req: IncomingMessage): boolean {
  const value = header(req, 'x-amz-log-type') ?? 'None';
  if (value !== 'None' && value !== 'Tail') {
    throw errors.invalidParameter(`1 validation error detected: Value '${value}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]`);
  }
  return value === 'Tail';
}

function clientContext(req: IncomingMessage): string | undefined {
  const encoded = header(req, 'x-amz-client-context');
  if (encoded === undefined) return undefined;
  if (encoded.length > MAX_CLIENT_CONTEXT_BYTES) {
    throw errors.invalidParameter(`Client context must be at most ${MAX_CLIENT_CONTEXT_BYTES} bytes when base64-encoded.`);
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw errors.invalidParameter('Client context must be a valid Base64-encoded JSON object.');
  try {
    const value: unknown = JSON.parse(decoded);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
  } catch {
    throw errors.invalidParameter('Client context must be a valid Base64-encoded JSON object.');
  }
  return decoded;
}

/** An X-Ray trace header for invocations that arrive without one. */
function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

function validatePayload(body: Buffer): void {
  if (body.length === 0) return;
  try {
    JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw errors.invalidJson((error as Error).message);
  }
}

export function invokeRoutes(deps: InvokeApiDeps, router: Router): Router {
  const { config, environment, queue, logStream } = deps;

  const handle = (streaming: boolean) => async (req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => {
    const requestId = randomUUID();
    try {
      const invokedArn = resolveFunctionName(config, params[0], query.get('Qualifier'));
      const type = invocationType(req, streaming);
      const tail = wantsTail(req) && type === 'RequestResponse';
      const context = clientContext(req);
      if (deps.status() === 'shutting-down') throw errors.shuttingDown();
      const limit = type === 'Event' ? MAX_ASYNC_REQUEST_BYTES : MAX_SYNC_REQUEST_BYTES;
      let body: Buffer;
      try {
        body = await readBody(req, limit, DRAIN_LIMIT_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          if (error.received > DRAIN_LIMIT_BYTES) closeAfterResponse(res); // the rest of it is not worth reading
          throw errors.requestTooLarge(limit);
        }
        if (error instanceof BodyTruncatedError) return; // the caller hung up mid-request
        throw error;
      }
      validatePayload(body);
      const executed = { requestId, executedVersion: config.functionVersion, wantsTail: tail };
      if (type === 'DryRun') {
        res.writeHead(204, { 'x-amzn-RequestId': requestId, 'X-Amz-Executed-Version': config.functionVersion });
        res.end();
        return;
      }
      const request: InvokeRequest = {
        requestId,
        payload: body.length === 0 ? Buffer.from('{}') : body,
        contentType: 'application/json',
        invokedFunctionArn: invokedArn,
        traceId: header(req, 'x-amzn-trace-id') ?? newTraceId(),
        clientContext: context,
        cognitoIdentity: undefined,
        tenantId: header(req, 'x-amz-tenant-id'),
      };
      const reply: InvokeReply = type === 'Event' ? new DiscardedReply()
        : streaming ? new EventStreamReply(res, executed) : new BufferedReply(res, executed);
      const invocation = new Invocation(request, reply);
      if (tail) logStream.wantTail(requestId);
      const accepted = queue.submit({
        run: async () => {
          await environment.invoke(invocation); // never throws: every failure becomes the invocation's outcome
          reply.flush(tail ? logStream.takeTail(requestId) ?? '' : undefined);
        },
        refuse: () => sendServiceError(res, errors.shuttingDown(), requestId),
      });
      if (!accepted) {
        logStream.takeTail(requestId);
        throw errors.tooManyRequests();
      }
      if (type === 'Event') {
        res.writeHead(202, { 'x-amzn-RequestId': requestId, 'Content-Length': 0 });
        res.end();
      }
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      if (!res.headersSent) sendServiceError(res, error, requestId);
    }
  };

  router.on('POST', /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/, handle(false));
  router.on('POST', /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations\/?$/, handle(true));
  router.on('GET', /^\/healthz$/, (_req, res) => {
    const status = deps.status();
    sendJson(res, status === 'ready' ? 200 : 503, {
      status,
      environment: environment.state.state,
      busy: queue.busy,
      queued: queue.depth,
    });
  });
  return router;
}

export function newInvokeRouter(): Router {
  return new Router(
    (req, res) => sendServiceError(res, errors.unknownOperation(req.method ?? '', req.url ?? ''), randomUUID()),
    (req, res) => sendServiceError(res, errors.notAllowed(req.method ?? '', req.url ?? ''), randomUUID()),
  );
}
