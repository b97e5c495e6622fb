import { randomUUID } from 'node:crypto';
import { errors, sendServiceError } from '../awsErrors';
import { sendJson } from '../http';
import { Router } from '../router';
import { invokeRoute, type InvokeRouteDeps } from './invokeRoute';

export interface InvokeApiDeps extends InvokeRouteDeps {
  /** The environment's state, for /healthz. */
  environmentState: () => string;
}

/** The Invoke API (port 8080): Invoke, InvokeWithResponseStream, and `GET /healthz`. */
export function invokeRoutes(deps: InvokeApiDeps, router: Router): Router {
  return router
    .on('POST', /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/, invokeRoute(deps, false))
    .on('POST', /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations\/?$/, invokeRoute(deps, true))
    .on('GET', /^\/healthz$/, (_req, res) => {
      const status = deps.status();
      sendJson(res, status === 'ready' ? 200 : 503, {
        status,
        environment: deps.environmentState(),
        busy: deps.queue.busy,
        queued: deps.queue.depth,
      });
    });
}

/** The Invoke API's router, answering unknown operations as AWS does. */
export function newInvokeRouter(): Router {
  return new Router(
    (req, res) => sendServiceError(res, errors.unknownOperation(req.method ?? '', req.url ?? ''), randomUUID()),
    (req, res) => sendServiceError(res, errors.notAllowed(req.method ?? '', req.url ?? ''), randomUUID()),
  );
}
