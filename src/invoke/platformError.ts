import { errorBody } from '../errorBody';
import type { Status } from '../telemetry/events';
import type { Outcome } from './invocation';

/** An outcome the platform decided (timeout, crash, shutdown), with Lambda's `{errorType, errorMessage}` body. */
export function platformError(status: Status, errorType: string, errorMessage: string): Outcome {
  return { kind: 'error', status, errorType, body: errorBody(errorType, errorMessage) };
}

/** What the caller gets when its invocation ran out of time. */
export function timeoutOutcome(requestId: string, timeoutSeconds: number): Outcome {
  return platformError('timeout', 'Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
}
