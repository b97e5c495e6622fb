import { STREAM_BANDWIDTH_BPS } from '../../config';
import type { RuntimePort } from '../../lifecycle/ports';
import { Router } from '../router';
import { apiError } from './answers';
import { initErrorRoute } from './initErrorRoute';
import { nextRoute } from './nextRoute';
import { invocationErrorRoute, responseRoute } from './resultRoutes';

const BASE = '/2018-06-01/runtime';

/**
 * The Runtime API, over the current runtime (the port). Calls from a runtime that has been reset away find none
 * and get a 500 ("the runtime should exit"), as Lambda's container error.
 */
export function runtimeRoutes(runtime: RuntimePort, router: Router, streamBandwidthBps = STREAM_BANDWIDTH_BPS): Router {
  return router
    .on('GET', new RegExp(`^${BASE}/invocation/next$`), nextRoute(runtime))
    .on('POST', new RegExp(`^${BASE}/invocation/([^/]*)/response$`), responseRoute(runtime, streamBandwidthBps))
    .on('POST', new RegExp(`^${BASE}/invocation/([^/]*)/error$`), invocationErrorRoute(runtime))
    .on('POST', new RegExp(`^${BASE}/init/error$`), initErrorRoute(runtime))
    .on('GET', /^\/2018-06-01\/ping$/, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('pong');
    });
}

/** The router of the runtime-side APIs, with the Runtime API's answers for unknown paths and methods. */
export function newRuntimeRouter(): Router {
  return new Router(
    (req, res) => apiError(res, 404, 'InvalidRequest', `No such endpoint: ${req.method} ${req.url}`),
    (req, res) => apiError(res, 405, 'InvalidRequest', `Method ${req.method} not allowed on ${req.url}`),
  );
}
