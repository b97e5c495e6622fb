import type * as http from 'node:http';

export interface RequestContext {
  request: http.IncomingMessage;
  response: http.ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  requestId: string;
}

/** Answers with (status, JSON body), or by writing to `response` itself and returning undefined. */
export type Handler = (context: RequestContext) => Promise<{ status: number; body?: unknown } | undefined>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

/** Routes by method and a path template such as `/2015-03-31/functions/{FunctionName}/aliases/{Name}`. */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, template: string, handler: Handler): this {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_match, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  /** The handler and path parameters for a request; `allowed` lists the methods the path takes when none matched. */
  match(method: string, pathname: string): { handler: Handler; params: Record<string, string> } | { allowed: string[] } {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const found = route.pattern.exec(pathname);
      if (!found) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => { params[name] = decodeURIComponent(found[index + 1]); });
      return { handler: route.handler, params };
    }
    return { allowed };
  }
}
