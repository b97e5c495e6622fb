import type { ServerResponse } from 'node:http';
import { InvalidRequestIdError } from '../../lifecycle/runtimeSession';
import { InvalidInvocationIdError, InvocationGoneError, TooManyWorkersError } from '../../lifecycle/invocationRefusals';
import { NoRuntimeError } from '../../lifecycle/ports';
import { TransitionError } from '../../lifecycle/stateMachine';
import { MAX_RESPONSE_BYTES } from '../payloadLimits';
import { BodyTooLargeError, BodyTruncatedError, sendJson, sendJsonText } from '../http';

const ACCEPTED = JSON.stringify({ status: 'OK' }) + '\n';

/** 202 `{"status":"OK"}`: the Runtime API took what the runtime posted. */
export function accepted(res: ServerResponse): void {
  sendJsonText(res, 202, ACCEPTED);
}

export function apiError(res: ServerResponse, status: number, errorType: string, errorMessage: string): void {
  sendJson(res, status, { errorMessage, errorType });
}

/** The refusals every Runtime API call shares: a wrong state, a wrong request or invocation id, no runtime at all. */
export function answerRefusal(res: ServerResponse, error: unknown): void {
  if (error instanceof TransitionError) apiError(res, 403, 'InvalidStateTransition', error.message);
  else if (error instanceof InvalidRequestIdError) apiError(res, 400, 'InvalidRequestID', error.message);
  // Our choices where AWS documents no body (docs/lambda-behaviour.md#invocation-ids, #managed-instances).
  else if (error instanceof InvalidInvocationIdError) apiError(res, 400, 'InvalidInvocationID', error.message);
  else if (error instanceof InvocationGoneError) apiError(res, 410, 'InvocationGone', error.message);
  else if (error instanceof TooManyWorkersError) apiError(res, 403, 'ConcurrencyLimitExceeded', error.message);
  else if (error instanceof NoRuntimeError) apiError(res, 500, 'Runtime.Unknown', error.message);
  else throw error;
}

/** A body that could not be read whole. Node's server discards the unread rest and keeps the keep-alive connection. */
export function refuseBody(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  if (error instanceof BodyTooLargeError) {
    apiError(res, 413, 'RequestEntityTooLarge', `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`);
  } else if (error instanceof BodyTruncatedError) {
    apiError(res, 400, 'TruncatedHTTPRequest', 'HTTP request detected as truncated');
  } else {
    throw error;
  }
}
