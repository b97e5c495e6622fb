import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../../errorBody';
import type { ResultPort } from '../../invoke/invocation';
import type { RuntimePort } from '../../lifecycle/ports';
import { BodyTooLargeError, BodyTruncatedError, header, readBody } from '../http';
import { DRAIN_LIMIT_BYTES, MAX_RESPONSE_BYTES, MAX_STREAMED_RESPONSE_BYTES, UNCAPPED_STREAM_BYTES } from '../payloadLimits';
import { accepted, answerRefusal, apiError, refuseBody } from './answers';
import { readErrorReport } from './errorReport';
import { StreamPacer } from './streamPacer';

type ResultHandler = (result: ResultPort, req: IncomingMessage, res: ServerResponse) => Promise<void>;

function errorOutcome(errorType: string, errorMessage: string) {
  return { kind: 'error' as const, status: 'error' as const, errorType, body: errorBody(errorType, errorMessage) };
}

/** `/response` and `/error`: the runtime port admits the result for the in-flight invocation, or says why not. */
function resultRoute(runtime: RuntimePort, kind: 'response' | 'error', handler: ResultHandler) {
  return async (req: IncomingMessage, res: ServerResponse, params: string[]): Promise<void> => {
    const requestId = params[0] ?? '';
    let result: ResultPort;
    try {
      result = runtime.beginResult(requestId, kind, header(req, 'lambda-runtime-invocation-id'));
    } catch (error) {
      return answerRefusal(res, error);
    }
    try {
      await handler(result, req, res);
    } finally {
      runtime.endResult(requestId);
    }
  };
}

/**
 * `POST /runtime/invocation/{id}/response`, buffered or streamed; a stream past its first 6 MB is read at no more
 * than `streamBandwidthBps`.
 */
export function responseRoute(runtime: RuntimePort, streamBandwidthBps: number) {
  return resultRoute(runtime, 'response', async (result, req, res) => {
    const mode = header(req, 'lambda-runtime-function-response-mode');
    if (mode === undefined) await bufferedResponse(result, req, res);
    else if (mode.toLowerCase() === 'streaming') await streamedResponse(result, req, res, new StreamPacer(UNCAPPED_STREAM_BYTES, streamBandwidthBps));
    else {
      result.complete(errorOutcome('Runtime.InvalidResponseModeHeader', `Invalid function response mode: ${mode}`));
      apiError(res, 400, 'InvalidFunctionResponseMode', 'Invalid function response mode');
    }
  });
}

/** `POST /runtime/invocation/{id}/error`: a function error, forwarded to the caller as the runtime reported it. */
export function invocationErrorRoute(runtime: RuntimePort) {
  return resultRoute(runtime, 'error', async (result, req, res) => {
    try {
      const report = await readErrorReport(req);
      result.complete({ kind: 'error', status: 'success', errorType: report.errorType, body: report.body });
      accepted(res);
    } catch (error) {
      result.complete(errorOutcome('Runtime.TruncatedResponse', 'The error response was truncated'));
      refuseBody(res, error);
    }
  });
}

async function bufferedResponse(result: ResultPort, req: IncomingMessage, res: ServerResponse): Promise<void> {
  result.markResponseStart();
  try {
    const body = await readBody(req, MAX_RESPONSE_BYTES, DRAIN_LIMIT_BYTES);
    result.complete({ kind: 'success', contentType: header(req, 'content-type') ?? 'application/json', body });
    accepted(res);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      result.complete(errorOutcome('Function.ResponseSizeTooLarge',
        `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`));
    } else if (error instanceof BodyTruncatedError) {
      result.complete(errorOutcome('Runtime.TruncatedResponse', 'The function response was truncated'));
    }
    refuseBody(res, error);
  }
}

/** Streaming mode: chunks go to the caller as they arrive; trailers may carry a mid-stream error. */
function streamedResponse(result: ResultPort, req: IncomingMessage, res: ServerResponse, pacer: StreamPacer): Promise<void> {
  result.streamStart(header(req, 'content-type') ?? 'application/octet-stream');
  let received = 0;
  return new Promise((resolve) => {
    const finish = (outcomeError?: { errorType: string; body: Buffer }): void => {
      req.removeAllListeners('data');
      if (outcomeError) {
        result.complete({ kind: 'error', status: 'error', errorType: outcomeError.errorType, body: outcomeError.body });
      } else {
        result.complete({ kind: 'success', contentType: header(req, 'content-type') ?? 'application/octet-stream', body: undefined });
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
      result.streamChunk(chunk);
      const pause = pacer.add(chunk.length);
      if (pause > 0) {
        req.pause();
        setTimeout(() => req.resume(), pause);
      }
    });
    req.once('end', () => {
      const errorType = req.trailers['lambda-runtime-function-error-type'];
      const encodedBody = req.trailers['lambda-runtime-function-error-body'];
      if (!res.headersSent) accepted(res);
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
