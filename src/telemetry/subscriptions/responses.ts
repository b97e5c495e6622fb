import type { SubscriptionApi } from './subscriptionRequest';

/** What the HTTP handler sends: `status` and `body` serialised as JSON. */
export type SubscribeResult = { status: number; body: unknown };

const ERROR_PREFIX: Record<SubscriptionApi, string> = { telemetry: 'Telemetry', logs: 'Logs' };
const API_TITLE: Record<SubscriptionApi, string> = { telemetry: 'Telemetry API', logs: 'Logs API' };

export const subscribed = (): SubscribeResult => ({ status: 200, body: 'OK' });

/** 400; the Telemetry API's type is plain `ValidationError`, the Logs API's `Logs.ValidationError` (docs/lambda-behaviour.md#telemetry-api, #logs-api). */
export function validationError(api: SubscriptionApi, errorMessage: string): SubscribeResult {
  const errorType = api === 'telemetry' ? 'ValidationError' : 'Logs.ValidationError';
  return { status: 400, body: { errorType, errorMessage } };
}

export function subscriptionClosed(api: SubscriptionApi): SubscribeResult {
  return {
    status: 403,
    body: { errorMessage: `${API_TITLE[api]} subscription is closed already`, errorType: `${ERROR_PREFIX[api]}.SubscriptionClosed` },
  };
}

/**
 * An extension subscribed through one API asks the other. Lambda rejects this; its error body is not documented, so
 * this is the API's validation error with a message that says what to do.
 */
export function otherApiInUse(api: SubscriptionApi, extensionName: string): SubscribeResult {
  const other: SubscriptionApi = api === 'telemetry' ? 'logs' : 'telemetry';
  return validationError(
    api,
    `Extension ${extensionName} is already subscribed through the ${API_TITLE[other]}; ` +
      'an extension can subscribe through the Telemetry API or the Logs API, not both',
  );
}
