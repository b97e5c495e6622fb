import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface WireEvent {
  time: string;
  type: string;
  record: unknown;
}

/** How the HTTP sink answers a request: 200, 500, or not at all until released. */
export type Answer = 'ok' | 'fail' | 'hold';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  events: WireEvent[];
  answer: Answer;
  /** The client's port: the same for requests on one kept-alive connection. */
  remotePort: number;
}

/** Resolves waiters when a condition over received data becomes true; checked on every arrival (no polling). */
class Waiters {
  private waiting: Array<{ check: () => boolean; resolve: () => void }> = [];

  wait(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ check, resolve }));
  }

  changed(): void {
    const ready = this.waiting.filter((w) => w.check());
    this.waiting = this.waiting.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

/** A real HTTP subscriber on 127.0.0.1 that records every request. */
export class HttpSink {
  readonly requests: ReceivedRequest[] = [];
  answer: Answer = 'ok';
  private readonly held: Array<{ request: ReceivedRequest; response: http.ServerResponse }> = [];
  private readonly waiters = new Waiters();

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<HttpSink> {
    const server = http.createServer();
    const sink = new HttpSink(server);
    server.on('request', (req, res) => sink.onRequest(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Events of the requests answered (or, if held, released with) 200, batch by batch. */
  get batches(): WireEvent[][] {
    return this.requests.filter((r) => r.answer === 'ok').map((r) => r.events);
  }

  get delivered(): WireEvent[] {
    return this.batches.flat();
  }

  waitFor(check: (sink: HttpSink) => boolean): Promise<void> {
    return this.waiters.wait(() => check(this));
  }

  /** Answers the held requests with 200; later requests are answered 200 too. */
  release(): void {
    this.answer = 'ok';
    for (const { request, response } of this.held.splice(0)) {
      request.answer = 'ok';
      response.end('OK');
    }
  }

  async close(): Promise<void> {
    for (const { response } of this.held.splice(0)) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString();
      const answer = this.answer;
      // The answer is recorded before it is sent, so what a test sees never depends on the delivery's timing.
      const request: ReceivedRequest = {
        method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawBody,
        events: JSON.parse(rawBody) as WireEvent[], answer, remotePort: req.socket.remotePort ?? 0,
      };
      this.requests.push(request);
      if (answer === 'ok') res.end('OK');
      else if (answer === 'fail') res.writeHead(500).end('busy');
      else this.held.push({ request, response: res });
      this.waiters.changed();
    });
  }
}

/** A real TCP subscriber on 127.0.0.1 that records every line. */
export class TcpSink {
  readonly lines: string[] = [];
  connections = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly waiters = new Waiters();

  private constructor(private readonly server: net.Server) {}

  static async start(): Promise<TcpSink> {
    const server = net.createServer();
    const sink = new TcpSink(server);
    server.on('connection', (socket) => sink.onConnection(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get events(): WireEvent[] {
    return this.lines.map((line) => JSON.parse(line) as WireEvent);
  }

  waitFor(check: (sink: TcpSink) => boolean): Promise<void> {
    return this.waiters.wait(() => check(this));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: net.Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      const text = pending + chunk.toString();
      const parts = text.split('\n');
      pending = parts.pop() ?? '';
      this.lines.push(...parts);
      this.waiters.changed();
    });
  }
}
