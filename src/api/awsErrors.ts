import type { ServerResponse } from 'node:http';
import { sendJson } from './http';

/** A service error of the Invoke API, in AWS's wire shape (docs/lambda-behaviour.md#invoke-api). */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Bodies differ in casing between exceptions; sending both `message` and `Message` lets every SDK find the text. */
export function sendServiceError(res: ServerResponse, error: ServiceError, requestId: string): void {
  sendJson(res, error.status, { Type: 'User', ...error.extra, message: error.message, Message: error.message }, {
    'x-amzn-ErrorType': error.code,
    'x-amzn-RequestId': requestId,
    ...error.headers,
  });
}

export const errors = {
  functionNotFound: (arn: string) => new ServiceError('ResourceNotFoundException', 404, `Function not found: ${arn}`),
  requestTooLarge: (limit: number) =>
    new ServiceError('RequestEntityTooLargeException', 413, `Request must be smaller than ${limit} bytes for the InvokeFunction operation`),
  invalidJson: (detail: string) =>
    new ServiceError('InvalidRequestContentException', 400, `Could not parse request body into json: Could not parse payload into json: ${detail}`),
  invalidParameter: (message: string) => new ServiceError('InvalidParameterValueException', 400, message),
  tooManyRequests: () =>
    new ServiceError('TooManyRequestsException', 429, 'Rate Exceeded.', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }, { 'Retry-After': '1' }),
  unknownOperation: (method: string, path: string) =>
    new ServiceError('UnknownOperationException', 404, `No operation matches ${method} ${path}`),
  notAllowed: (method: string, path: string) =>
    new ServiceError('MethodNotAllowedException', 405, `Method ${method} is not allowed on ${path}`),
  /** Lambda's exact wording is not documented (docs/lambda-behaviour.md#tenant-isolation): unverified. */
  tenantIdRequired: () =>
    new ServiceError('InvalidParameterValueException', 400, 'TenantId is required when invoking a function with tenant isolation mode PER_TENANT.'),
  shuttingDown: () => new ServiceError('ServiceException', 503, 'The execution environment is shutting down'),
};
