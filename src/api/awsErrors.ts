import type { ServerResponse } from 'node:http';
import { LambdaError } from '../lambdaError';
import { sendJson } from './http';

/** Sends one of Lambda's service errors (the same class `serve`'s Lambda API uses) as the Invoke API answers it. */
export function sendServiceError(res: ServerResponse, error: LambdaError, requestId: string): void {
  sendJson(res, error.status, error.body(), {
    'x-amzn-ErrorType': error.code,
    'x-amzn-RequestId': requestId,
    ...error.headers,
  });
}

export const errors = {
  functionNotFound: (arn: string) => new LambdaError('ResourceNotFoundException', 404, `Function not found: ${arn}`),
  requestTooLarge: (limit: number) =>
    new LambdaError('RequestEntityTooLargeException', 413, `Request must be smaller than ${limit} bytes for the InvokeFunction operation`),
  invalidJson: (detail: string) =>
    new LambdaError('InvalidRequestContentException', 400, `Could not parse request body into json: Could not parse payload into json: ${detail}`),
  invalidParameter: (message: string) => new LambdaError('InvalidParameterValueException', 400, message),
  tooManyRequests: () =>
    new LambdaError('TooManyRequestsException', 429, 'Rate Exceeded.', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }, { 'Retry-After': '1' }),
  unknownOperation: (method: string, path: string) =>
    new LambdaError('UnknownOperationException', 404, `No operation matches ${method} ${path}`),
  notAllowed: (method: string, path: string) =>
    new LambdaError('MethodNotAllowedException', 405, `Method ${method} is not allowed on ${path}`),
  /** Lambda's exact wording is not documented (docs/lambda-behaviour.md#tenant-isolation): unverified. */
  tenantIdRequired: () =>
    new LambdaError('InvalidParameterValueException', 400, 'TenantId is required when invoking a function with tenant isolation mode PER_TENANT.'),
  shuttingDown: () => new LambdaError('ServiceException', 503, 'The execution environment is shutting down'),
};
