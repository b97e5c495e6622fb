import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import type { Router } from './router';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * One of the init's HTTP servers. It may listen before it can answer: requests that come before `answerWith` wait,
 * in order (the prestarted runtime calls the Runtime API while the init is still starting).
 */
export class ApiServer {
  readonly server: Server;
  private handler: Handler | undefined;
  private held: Array<[IncomingMessage, ServerResponse]> = [];

  constructor() {
    this.server = createServer((req, res) => (this.handler ? this.handler(req, res) : this.held.push([req, res])));
    this.server.keepAliveTimeout = 65_000;
  }

  /** Binds the port; rejects with the reason when it cannot. */
  listen(host: string, port: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`cannot listen for the ${what} on ${host}:${port}: ${error.code ?? error.message}`)));
      this.server.listen(port, host, () => resolve());
    });
  }

  /** From now on `router` answers, first the requests that were waiting. */
  answerWith(router: Router, log: Logger): void {
    this.handler = (req, res) => {
      // async: a route that throws before its first await is answered like one that rejects.
      (async () => router.dispatch(req, res))().catch((error: unknown) => {
        log.error(`request ${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errorType: 'ServiceException', errorMessage: 'Internal error in the execution environment' }) + '\n');
      });
    };
    // A request whose client went away while it waited (a process killed before it was adopted) is dropped.
    for (const [req, res] of this.held.splice(0)) if (!req.destroyed) this.handler(req, res);
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}
