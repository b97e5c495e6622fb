/**
 * Why the Runtime API refuses a result for a request id it knows (docs/lambda-behaviour.md#invocation-ids). The
 * wrong-state refusal is the state machines' TransitionError; an unknown request id is InvalidRequestIdError.
 */

/** `Lambda-Runtime-Invocation-Id` was echoed, but not the one this request id was delivered with. */
export class InvalidInvocationIdError extends Error {
  constructor(readonly requestId: string) {
    super(`Invalid invocation ID for request ${requestId}: Lambda-Runtime-Invocation-Id does not match the invocation delivered`);
  }
}

/** The invocation already ended (it timed out on Managed Instances): its result can no longer reach anyone. */
export class InvocationGoneError extends Error {
  constructor(readonly requestId: string) {
    super(`Invocation ${requestId} has already ended (timed out); its result is discarded`);
  }
}

/** More workers wait in /next than AWS_LAMBDA_MAX_CONCURRENCY allows (docs/lambda-behaviour.md#managed-instances). */
export class TooManyWorkersError extends Error {
  constructor(readonly limit: number) {
    super(`${limit} /next requests are already waiting; AWS_LAMBDA_MAX_CONCURRENCY is ${limit}`);
  }
}
