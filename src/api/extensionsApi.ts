import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config';
import type { Environment } from '../lifecycle/environment';
import type { Extension } from '../lifecycle/extension';
import { ExtensionApiError } from '../lifecycle/extensionRegistry';
import { TransitionError } from '../lifecycle/stateMachine';
import { header, readBody, sendJson } from './http';
import type { Router } from './router';

const BODY_LIMIT = 1024 * 1024;

/** What the Telemetry and Logs API handlers need: a verdict on a subscription body from a named extension. */
export interface SubscriptionHandler {
  subscribeTelemetry(extensionName: string, body: unknown): { status: number; body: unknown };
  subscribeLogs(extensionName: string, body: unknown): { status: number; body: unknown };
}

function refuse(res: ServerResponse, error: unknown): void {
  if (error instanceof ExtensionApiError) sendJson(res, error.status, { errorMessage: error.message, errorType: error.errorType });
  else if (error instanceof TransitionError) sendJson(res, 403, { errorMessage: error.message, errorType: 'Extension.InvalidExtensionState' });
  else throw error;
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req, BODY_LIMIT);
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString());
  } catch {
    throw new ExtensionApiError('InvalidRequestFormat', 'The request body is not valid JSON');
  }
}

/** The Extensions API (spec 3) and the subscription endpoints of the Telemetry and Logs APIs (spec 4). */
export function extensionRoutes(env: Environment, config: Config, subscriptions: SubscriptionHandler | undefined, router: Router): Router {
  const registry = () => {
    const sandbox = env.sandbox;
    if (!sandbox) throw new ExtensionApiError('Extension.RegistrationClosed', 'Extension registration closed already');
    return sandbox.extensions;
  };
  const identified = (handler: (extension: Extension, req: IncomingMessage, res: ServerResponse) => void | Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      try {
        const extension = registry().lookup(header(req, 'lambda-extension-identifier'));
        await handler(extension, req, res);
      } catch (error) {
        if (!res.headersSent) refuse(res, error);
      }
    };

  router.on('POST', /^\/2020-01-01\/extension\/register$/, async (req, res) => {
    try {
      const body = await jsonBody(req);
      const extension = registry().register(header(req, 'lambda-extension-name'), body);
      const features = (header(req, 'lambda-extension-accept-feature') ?? '').split(',').map((f) => f.trim());
      sendJson(res, 200, {
        functionName: config.functionName,
        functionVersion: config.functionVersion,
        handler: config.handler ?? '',
        ...(features.includes('accountId') ? { accountId: config.accountId } : {}),
      }, { 'Lambda-Extension-Identifier': extension.id });
    } catch (error) {
      refuse(res, error);
    }
  });

  router.on('GET', /^\/2020-01-01\/extension\/event\/next$/, identified((extension, _req, res) => {
    let alive = true;
    res.once('close', () => (alive = false));
    extension.next({
      get alive() {
        return alive && !res.writableEnded;
      },
      deliver(event) {
        sendJson(res, 200, event, { 'Lambda-Extension-Event-Identifier': globalThis.crypto.randomUUID() });
      },
    });
  }));

  for (const [path, kind] of [['init', 'InitError'], ['exit', 'ExitError']] as const) {
    router.on('POST', new RegExp(`^/2020-01-01/extension/${path}/error$`), identified(async (extension, req, res) => {
      const errorType = header(req, 'lambda-extension-function-error-type');
      if (!errorType) throw new ExtensionApiError('Extension.MissingHeader', 'Lambda-Extension-Function-Error-Type not found');
      await readBody(req, BODY_LIMIT).catch(() => Buffer.alloc(0));
      extension.state.transition(kind);
      extension.errorType = errorType;
      sendJson(res, 202, { status: 'OK' });
      env.sandbox?.fail({ errorType: `Extension.${kind}`, message: `extension ${extension.name} reported ${path === 'init' ? 'an init' : 'an exit'} error: ${errorType}` });
    }));
  }

  for (const [path, api] of [['/2022-07-01/telemetry', 'telemetry'], ['/2020-08-15/logs', 'logs']] as const) {
    router.on('PUT', new RegExp(`^${path}/?$`), identified(async (extension, req, res) => {
      if (!subscriptions) {
        sendJson(res, 202, api === 'telemetry'
          ? { errorMessage: 'Telemetry API is not supported', errorType: 'Telemetry.NotSupported' }
          : { errorMessage: 'Logs API is not supported', errorType: 'Logs.NotSupported' });
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req, BODY_LIMIT)).toString());
      } catch (error) {
        body = error; // the hub answers a body that is not JSON with its validation error
      }
      const verdict = api === 'telemetry' ? subscriptions.subscribeTelemetry(extension.name, body) : subscriptions.subscribeLogs(extension.name, body);
      sendJson(res, verdict.status, verdict.body);
    }));
  }
  return router;
}
