import type { ExtensionsPort } from '../../lifecycle/ports';
import { header, readBody, sendJson } from '../http';
import { answering, BODY_LIMIT } from './answers';

/** What the Telemetry and Logs API handlers need: a verdict on a subscription body from a named extension. */
export interface SubscriptionHandler {
  subscribeTelemetry(extensionName: string, body: unknown): { status: number; body: unknown };
  subscribeLogs(extensionName: string, body: unknown): { status: number; body: unknown };
}

const NOT_SUPPORTED = {
  telemetry: { errorMessage: 'Telemetry API is not supported', errorType: 'Telemetry.NotSupported' },
  logs: { errorMessage: 'Logs API is not supported', errorType: 'Logs.NotSupported' },
};

/** `PUT /telemetry` and `PUT /logs`: subscribe the calling extension. */
export function subscriptionRoute(extensions: ExtensionsPort, subscriptions: SubscriptionHandler | undefined, api: 'telemetry' | 'logs') {
  return answering(async (req, res) => {
    const name = extensions.identify(header(req, 'lambda-extension-identifier'));
    if (!subscriptions) return sendJson(res, 202, NOT_SUPPORTED[api]);
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, BODY_LIMIT)).toString());
    } catch (error) {
      body = error; // the hub answers a body that is not JSON with its validation error
    }
    const verdict = api === 'telemetry' ? subscriptions.subscribeTelemetry(name, body) : subscriptions.subscribeLogs(name, body);
    sendJson(res, verdict.status, verdict.body);
  });
}
