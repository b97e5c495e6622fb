import type { IncomingMessage, ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => void | Promise<void>;

interface Route {
  pattern: RegExp;
  methods: Map<string, Handler>;
}

/** A tiny path router: regex routes, 404 for unknown paths, 405 for a known path with the wrong method. */
export class Router {
  private readonly routes: Route[] = [];

  constructor(
    private readonly notFound: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly wrongMethod: (req: IncomingMessage, res: ServerResponse) => void,
  ) {}

  on(method: string, pattern: RegExp, handler: Handler): this {
    let route = this.routes.find((r) => r.pattern.source === pattern.source);
    if (!route) this.routes.push((route = { pattern, methods: new Map() }));
    route.methods.set(method, handler);
    return this;
  }

  dispatch(req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    for (const route of this.routes) {
      const match = route.pattern.exec(pathname);
      if (!match) continue;
      const handler = route.methods.get(req.method ?? 'GET');
      if (!handler) return this.wrongMethod(req, res);
      const params = match.slice(1).map((p) => decodeURIComponent(p ?? ''));
      return handler(req, res, params, new URLSearchParams(q === -1 ? '' : url.slice(q + 1)));
    }
    return this.notFound(req, res);
  }
}
