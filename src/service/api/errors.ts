import { LambdaError } from '../../lambdaError';

export { LambdaError };

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
