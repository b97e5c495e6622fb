import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request's query string, read-only (a URLSearchParams when there is one). */
export interface Query {
  get(name: string): string | null;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, params: string[], query: Query) => void | Promise<void>;

/** Most requests have no query string: they share this instead of parsing an empty one each. */
const NO_QUERY: Query = { get: () => null };

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
      const params: string[] = [];
      for (let i = 1; i < match.length; i++) params.push(decodeURIComponent(match[i] ?? ''));
      return handler(req, res, params, q === -1 ? NO_QUERY : new URLSearchParams(url.slice(q + 1)));
    }
    return this.notFound(req, res);
  }
}
