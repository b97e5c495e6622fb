import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/**
 * A small Runtime API (docs/lambda-behaviour.md#runtime-api) for testing the Node.js runtime on its own: it hands out queued events on /next and
 * records exactly what the runtime posts. The runtime is the thing under test; this server only plays the init.
 */

export interface Posted {
  kind: 'response' | 'error' | 'init-error';
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Body chunks in arrival order (streaming responses). */
  chunks: Buffer[];
  trailers: NodeJS.Dict<string>;
  /** The runtime closed the connection before the body was complete. */
  aborted: boolean;
  /** Body bytes received (also when the body itself was not kept: InvokeOptions.discardBody). */
  bytes: number;
}

export interface InvokeOptions {
  headers?: Record<string, string>;
  /** Raw payload instead of JSON.stringify(event). */
  raw?: string;
  deadlineMs?: number;
  requestId?: string;
  /** Called with each body chunk of the runtime's POST as it arrives. */
  onChunk?: (chunk: Buffer) => void;
  /** Count the body's bytes without keeping them (large streams). */
  discardBody?: boolean;
  /** Stop reading the runtime's POST for this long after its first chunk, so the runtime meets backpressure. */
  stallAfterFirstChunkMs?: number;
}

interface Pending {
  requestId: string;
  body: string;
  headers: Record<string, string>;
  onChunk?: (chunk: Buffer) => void;
  discardBody?: boolean;
  stallAfterFirstChunkMs?: number;
  resolve: (posted: Posted) => void;
}

export class FakeRuntimeApi {
  private readonly server = http.createServer((req, res) => this.route(req, res));
  private readonly queue: Pending[] = [];
  private readonly waiting: http.ServerResponse[] = [];
  private readonly inFlight = new Map<string, Pending>();
  private initErrorWaiters: ((posted: Posted) => void)[] = [];
  private readonly waitingWatchers: { count: number; resolve: () => void }[] = [];
  readonly initErrors: Posted[] = [];
  /** Every request the runtime made, as "METHOD path", in order. */
  readonly requests: string[] = [];
  /** TCP connections the runtime opened. */
  connections = 0;
  /** Status the server answers POST /response with (e.g. 413 to test that the runtime goes on). */
  responseStatus = 202;

  async start(): Promise<string> {
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.waiting.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues one event; resolves with what the runtime posted for it. */
  invoke(event: unknown, options: InvokeOptions = {}): Promise<Posted> {
    return new Promise((resolve) => {
      const requestId = options.requestId ?? randomUUID();
      const headers: Record<string, string> = {
        'Lambda-Runtime-Aws-Request-Id': requestId,
        'Lambda-Runtime-Deadline-Ms': String(options.deadlineMs ?? Date.now() + 30_000),
        'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:test_function',
        'Lambda-Runtime-Trace-Id': `Root=1-00000000-${requestId.replace(/-/g, '').slice(0, 24)};Parent=0123456789abcdef;Sampled=1`,
        'Content-Type': 'application/json',
        ...options.headers,
      };
      const pending: Pending = {
        requestId,
        body: options.raw ?? JSON.stringify(event),
        headers,
        onChunk: options.onChunk,
        discardBody: options.discardBody,
        stallAfterFirstChunkMs: options.stallAfterFirstChunkMs,
        resolve,
      };
      const res = this.waiting.shift();
      if (res) this.deliver(pending, res);
      else this.queue.push(pending);
    });
  }

  nextInitError(): Promise<Posted> {
    const already = this.initErrors.shift();
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.initErrorWaiters.push(resolve));
  }

  /** True while the runtime waits in GET /next. */
  get runtimeWaiting(): boolean {
    return this.waiting.length > 0;
  }

  /** GET /next requests waiting for an event now (several at once in Managed Instances mode). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Resolves once `count` GET /next requests wait at the same time. */
  waitForWaiting(count: number): Promise<void> {
    if (this.waiting.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waitingWatchers.push({ count, resolve }));
  }

  private park(res: http.ServerResponse): void {
    this.waiting.push(res);
    res.on('close', () => {
      // A runtime (or worker) that went away stops waiting: its request must not get the next event.
      const index = this.waiting.indexOf(res);
      if (index >= 0) this.waiting.splice(index, 1);
    });
    for (const watcher of this.waitingWatchers.filter((w) => w.count <= this.waiting.length)) {
      this.waitingWatchers.splice(this.waitingWatchers.indexOf(watcher), 1);
      watcher.resolve();
    }
  }

  private deliver(pending: Pending, res: http.ServerResponse): void {
    this.inFlight.set(pending.requestId, pending);
    res.writeHead(200, pending.headers);
    res.end(pending.body);
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push(`${req.method} ${req.url}`);
    const url = req.url ?? '';
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      const pending = this.queue.shift();
      if (pending) this.deliver(pending, res);
      else this.park(res);
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    const isInitError = url === '/2018-06-01/runtime/init/error';
    if (req.method !== 'POST' || (!match && !isInitError)) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    const target = match ? this.inFlight.get(decodeURIComponent(match[1])) : undefined;
    req.on('data', (chunk: Buffer) => {
      if (bytes === 0 && target?.stallAfterFirstChunkMs !== undefined) {
        req.pause();
        setTimeout(() => req.resume(), target.stallAfterFirstChunkMs);
      }
      bytes += chunk.length;
      if (!target?.discardBody) chunks.push(chunk);
      target?.onChunk?.(chunk);
    });
    req.on('close', () => {
      if (req.complete || !match) return;
      const pending = this.inFlight.get(decodeURIComponent(match[1]));
      if (!pending) return;
      this.inFlight.delete(pending.requestId);
      pending.resolve({ kind: match[2] as 'response' | 'error', headers: req.headers, body: Buffer.concat(chunks), chunks, trailers: {}, aborted: true, bytes });
    });
    req.on('end', () => {
      const posted: Posted = {
        kind: isInitError ? 'init-error' : (match![2] as 'response' | 'error'),
        headers: req.headers,
        body: Buffer.concat(chunks),
        chunks,
        trailers: { ...req.trailers },
        aborted: false,
        bytes,
      };
      if (isInitError) {
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}\n');
        const waiter = this.initErrorWaiters.shift();
        if (waiter) waiter(posted);
        else this.initErrors.push(posted);
        return;
      }
      const requestId = decodeURIComponent(match![1]);
      const pending = this.inFlight.get(requestId);
      if (!pending) {
        res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}\n');
        return;
      }
      this.inFlight.delete(requestId);
      const status = posted.kind === 'response' ? this.responseStatus : 202;
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(status === 202 ? '{"status":"OK"}\n' : '{"errorMessage":"rejected by test","errorType":"Test"}\n');
      pending.resolve(posted);
    });
  }
}
