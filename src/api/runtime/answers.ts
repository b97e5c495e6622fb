import type { ServerResponse } from 'node:http';
import { InvalidRequestIdError } from '../../lifecycle/runtimeSession';
import { NoRuntimeError } from '../../lifecycle/ports';
import { TransitionError } from '../../lifecycle/stateMachine';
import { MAX_RESPONSE_BYTES } from '../payloadLimits';
import { BodyTooLargeError, BodyTruncatedError, sendJson } from '../http';

export const ACCEPTED = { status: 'OK' };

export function apiError(res: ServerResponse, status: number, errorType: string, errorMessage: string): void {
  sendJson(res, status, { errorMessage, errorType });
}

/** The refusals every Runtime API call shares: a wrong state, a wrong request id, no runtime at all. */
export function answerRefusal(res: ServerResponse, error: unknown): void {
  if (error instanceof TransitionError) apiError(res, 403, 'InvalidStateTransition', error.message);
  else if (error instanceof InvalidRequestIdError) apiError(res, 400, 'InvalidRequestID', error.message);
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
