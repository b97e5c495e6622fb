import * as net from 'node:net';
import { abortError, type Transport } from './transport';

/** Writes each event as one line of JSON on a kept connection, reconnecting when it was closed. */
export class TcpTransport implements Transport {
  private socket: net.Socket | undefined;
  private closed = false;

  constructor(private readonly host: string, private readonly port: number) {}

  async send(events: readonly string[], signal: AbortSignal): Promise<void> {
    const socket = await this.connected(signal);
    const payload = events.map((event) => `${event}\n`).join('');
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        // A half-written line cannot be taken back: drop the connection so the next batch starts clean.
        socket.destroy();
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.write(payload, (error) => {
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connected(signal: AbortSignal): Promise<net.Socket> {
    const current = this.socket;
    if (current && !current.destroyed && !current.connecting) return Promise.resolve(current);
    current?.destroy();
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('telemetry delivery is closed'));
      if (signal.aborted) return reject(abortError(signal));
      const socket = net.connect({ host: this.host, port: this.port });
      this.socket = socket;
      const onAbort = (): void => {
        socket.destroy();
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // Errors after connecting surface as failed writes; without a listener they would crash the init.
      socket.on('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
      });
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        resolve(socket);
      });
    });
  }
}
