import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A door a fixture handler waits at (GET on `url`) until the test opens it: lets a test observe what happens while
 * the handler is provably still running, without any timing.
 */
export class Gate {
  private readonly server = http.createServer((_req, res) => {
    this.held.push(res);
    this.count++;
    for (const waiter of this.arrivals.filter((w) => w.count <= this.count)) {
      this.arrivals.splice(this.arrivals.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (this.isOpen) this.release();
  });
  private readonly held: http.ServerResponse[] = [];
  private readonly arrivals: { count: number; resolve: () => void }[] = [];
  /** Handlers that arrived at the gate so far. */
  private count = 0;
  private isOpen = false;
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  /** Resolves once a handler is waiting at the gate. */
  reached(): Promise<void> {
    return this.held.length > 0 ? Promise.resolve() : this.reachedBy(1);
  }

  /** Resolves once `count` handlers in all have arrived at the gate (they may all be waiting there at once). */
  reachedBy(count: number): Promise<void> {
    return this.count >= count ? Promise.resolve() : new Promise((resolve) => this.arrivals.push({ count, resolve }));
  }

  /** Handlers waiting at the gate now. */
  get waiting(): number {
    return this.held.length;
  }

  open(): void {
    this.isOpen = true;
    this.release();
  }

  async stop(): Promise<void> {
    this.open();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private release(): void {
    for (const res of this.held.splice(0)) res.end('open');
  }
}
