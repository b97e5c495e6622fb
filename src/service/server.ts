import * as http from 'node:http';
import type { ServiceContext } from './context';
import { accountRoutes } from './api/account';
import { concurrencyRoutes } from './api/concurrency';
import { LambdaError, serviceError } from './api/errors';
import { functionRoutes } from './api/functions';
import { sendError, sendJson } from './api/http';
import { invokeRoutes, newRequestId } from './api/invoke';
import { layerRoutes } from './api/layers';
import { Router } from './api/router';
import { versionRoutes } from './api/versions';
import type { ServiceMetrics } from './metrics';

/** The Lambda API over HTTP, plus GET /metrics (Prometheus) and GET /healthz. */
export function createApiServer(context: ServiceContext, metrics: ServiceMetrics, log: (message: string) => void): http.Server {
  const router = new Router();
  functionRoutes(router, context);
  versionRoutes(router, context);
  concurrencyRoutes(router, context);
  layerRoutes(router, context);
  accountRoutes(router, context);
  invokeRoutes(router, context);
  router.on('GET', '/metrics', async ({ response }) => {
    const text = await metrics.text();
    response.writeHead(200, { 'content-type': metrics.contentType, 'content-length': String(Buffer.byteLength(text)) });
    response.end(text);
    return undefined;
  });
  router.on('GET', '/lambda-sandbox/environments', async () => {
    const body: Record<string, unknown> = {};
    for (const record of context.store.functions.values()) {
      body[record.name] = {
        ...context.scheduler.environmentCounts(record.name),
        versions: Object.keys(record.versions),
        ...(record.reservedConcurrency !== undefined ? { reserved: record.reservedConcurrency } : {}),
      };
    }
    return { status: 200, body };
  });
  router.on('GET', '/healthz', async () => ({ status: 200, body: { status: 'ready', functions: context.store.functions.size } }));

  return http.createServer((request, response) => {
    const requestId = newRequestId();
    const url = new URL(request.url ?? '/', 'http://service');
    const found = router.match(request.method ?? 'GET', url.pathname);
    if (!('handler' in found)) {
      request.resume();
      const error = found.allowed.length > 0
        ? new LambdaError('MethodNotAllowedException', 405, `${request.method} is not allowed on ${url.pathname}; use ${found.allowed.join(' or ')}.`)
        : new LambdaError('UnknownOperationException', 404, `Unknown operation: ${request.method} ${url.pathname}`);
      sendError(response, error, requestId);
      return;
    }
    found.handler({ request, response, params: found.params, query: url.searchParams, requestId }).then(
      (answer) => {
        if (answer === undefined) return;
        if (answer.status === 204 || answer.body === undefined) {
          response.writeHead(answer.status, { 'x-amzn-requestid': requestId });
          response.end();
        } else {
          sendJson(response, answer.status, answer.body, { 'x-amzn-requestid': requestId });
        }
      },
      (error: unknown) => {
        if (!(error instanceof LambdaError)) log(`${request.method} ${url.pathname}: ${(error as Error).stack ?? String(error)}`);
        request.resume();
        sendError(response, error instanceof LambdaError ? error : serviceError(`Internal error: ${(error as Error).message}`), requestId);
      },
    );
  });
}
