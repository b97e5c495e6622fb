/**
 * Lambda's service errors: an HTTP status, the error code in `x-amzn-ErrorType` (which the SDKs, boto3 and the AWS
 * CLI read first) and a JSON body `{"Type":"User","message":...}`. The text goes in both `message` and `Message`
 * because AWS itself uses either casing depending on the exception, and each SDK looks for one of them
 * (https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html, docs/lambda-behaviour.md#invoke-api).
 */
export class LambdaError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra members of the body, e.g. `Reason` of TooManyRequestsException. */
    readonly fields: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
    readonly type: 'User' | 'Service' = 'User',
  ) {
    super(message);
    this.name = code;
  }

  body(): Record<string, string> {
    return { Type: this.type, message: this.message, Message: this.message, ...this.fields };
  }
}

export const invalidParameter = (message: string) => new LambdaError('InvalidParameterValueException', 400, message);

export const notFound = (message: string) => new LambdaError('ResourceNotFoundException', 404, message);

export const conflict = (message: string) => new LambdaError('ResourceConflictException', 409, message);

export const invalidRequestContent = (message: string) => new LambdaError('InvalidRequestContentException', 400, message);

export const requestTooLarge = (message: string) => new LambdaError('RequestEntityTooLargeException', 413, message);

/** A RevisionId that is not the current one (optimistic locking of updates). */
export const preconditionFailed = () => new LambdaError('PreconditionFailedException', 412,
  'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');

export const shuttingDown = () => new LambdaError('ServiceException', 503, 'lambda-sandbox serve is shutting down.', {}, {}, 'Service');

export const serviceError = (message: string) => new LambdaError('ServiceException', 500, message, {}, {}, 'Service');

export type ThrottleReason = 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded';

/** 429 as Lambda sends it for a synchronous invoke beyond the concurrency limit. */
export function tooManyRequests(reason: ThrottleReason): LambdaError {
  return new LambdaError('TooManyRequestsException', 429, 'Rate Exceeded.', { Reason: reason }, { 'Retry-After': '1' });
}

export const functionNotFound = (arn: string) => notFound(`Function not found: ${arn}`);
