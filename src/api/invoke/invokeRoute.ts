import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../config';
import { Invocation, type InvokeRequest } from '../../invoke/invocation';
import type { InvokeQueue } from '../../invoke/invokeQueue';
import type { LogStream } from '../../telemetry/logStream';
import { newTraceId } from '../../telemetry/traceId';
import { LambdaError } from '../../lambdaError';
import { errors, sendServiceError } from '../awsErrors';
import { BodyTooLargeError, BodyTruncatedError, closeAfterResponse, header, readBody } from '../http';
import type { Query } from '../router';
import { DRAIN_LIMIT_BYTES, MAX_ASYNC_REQUEST_BYTES, MAX_SYNC_REQUEST_BYTES } from '../payloadLimits';
import { resolveFunctionName } from './functionName';
import { clientContext, invocationType, validatePayload, wantsTail } from './invokeHeaders';
import { BufferedReply, DiscardedReply, EventStreamReply, type InvokeReply } from './replies';

/** Whether the environment takes invokes: `ready` once the first Init has finished (well or not), until shutdown. */
export type ServiceStatus = 'initializing' | 'ready' | 'shutting-down';

export interface InvokeRouteDeps {
  config: Config;
  /** Runs one invocation's whole invoke phase (through REPORT); never rejects. */
  invoke: (invocation: Invocation) => Promise<void>;
  queue: InvokeQueue;
  logStream: LogStream;
  status: () => ServiceStatus;
}

async function readPayload(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> {
  try {
    return await readBody(req, limit, DRAIN_LIMIT_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      if (error.received > DRAIN_LIMIT_BYTES) closeAfterResponse(res); // the rest of it is not worth reading
      throw errors.requestTooLarge(limit);
    }
    if (error instanceof BodyTruncatedError) return undefined; // the caller hung up mid-request
    throw error;
  }
}

/**
 * `Invoke` and `InvokeWithResponseStream`: validate the request, make it an Invocation with its reply, and queue it.
 * The reply is sent when the runtime answers (or, with a log tail, after REPORT).
 */
export function invokeRoute(deps: InvokeRouteDeps, streaming: boolean) {
  const { config, queue, logStream } = deps;
  return async (req: IncomingMessage, res: ServerResponse, params: string[], query: Query): Promise<void> => {
    const requestId = randomUUID();
    try {
      const invokedArn = resolveFunctionName(config, params[0], query.get('Qualifier'));
      const type = invocationType(req, streaming);
      const tail = wantsTail(req) && type === 'RequestResponse';
      const context = clientContext(req);
      const tenantId = header(req, 'x-amz-tenant-id');
      if (tenantId === undefined && config.tenantIsolation === 'PER_TENANT') throw errors.tenantIdRequired();
      if (deps.status() === 'shutting-down') throw errors.shuttingDown();
      const body = await readPayload(req, res, type === 'Event' ? MAX_ASYNC_REQUEST_BYTES : MAX_SYNC_REQUEST_BYTES);
      if (body === undefined) return;
      validatePayload(body);
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
        tenantId,
      };
      const executed = { requestId, executedVersion: config.functionVersion, wantsTail: tail };
      const reply: InvokeReply = type === 'Event' ? new DiscardedReply()
        : streaming ? new EventStreamReply(res, executed) : new BufferedReply(res, executed);
      const invocation = new Invocation(request, reply);
      if (tail) logStream.wantTail(requestId);
      const accepted = queue.submit({
        run: async () => {
          await deps.invoke(invocation);
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
      if (!(error instanceof LambdaError)) throw error;
      if (!res.headersSent) sendServiceError(res, error, requestId);
    }
  };
}
