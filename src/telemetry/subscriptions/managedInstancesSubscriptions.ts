import type { SubscriptionHandler } from '../../api/extensions/subscriptionRoutes';
import { isJsonObject } from './jsonObject';
import { validationError, type SubscribeResult } from './responses';

/** The one Telemetry API schema Managed Instances accept (DG/telemetry-api-reference). */
export const MANAGED_INSTANCES_SCHEMA = '2025-01-29';

/**
 * The subscription APIs as Lambda Managed Instances answer them (docs/lambda-behaviour.md#managed-instances):
 * Telemetry API subscriptions must ask for schema 2025-01-29, and the Logs API is not available.
 */
export class ManagedInstancesSubscriptions implements SubscriptionHandler {
  constructor(private readonly inner: SubscriptionHandler) {}

  subscribeTelemetry(extensionName: string, body: unknown): SubscribeResult {
    const schema = isJsonObject(body) ? body.schemaVersion : undefined;
    if (isJsonObject(body) && schema !== MANAGED_INSTANCES_SCHEMA) {
      return validationError('telemetry',
        `schemaVersion ${JSON.stringify(schema) ?? 'undefined'} is not supported on Lambda Managed Instances; use ${MANAGED_INSTANCES_SCHEMA}`);
    }
    return this.inner.subscribeTelemetry(extensionName, body);
  }

  /** Not available on Managed Instances; the answer is the one Lambda's emulator gives where the API is missing (unverified). */
  subscribeLogs(): SubscribeResult {
    return { status: 202, body: { errorMessage: 'Logs API is not supported', errorType: 'Logs.NotSupported' } };
  }
}
