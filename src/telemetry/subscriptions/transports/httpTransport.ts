import * as http from 'node:http';
import { abortError, type Transport } from './transport';

export interface HttpTarget {
  /** Where the connection goes (loopback). */
  connectHost: string;
  port: number;
  path: string;
  /** The `Host` header: the name the subscriber gave, e.g. `sandbox.localdomain:8080`. */
  hostHeader: string;
}

/** POSTs each batch as a JSON array, over one kept-alive connection (one request at a time). */
export class HttpTransport implements Transport {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly target: HttpTarget) {}

  send(events: readonly string[], signal: AbortSignal): Promise<void> {
    const body = Buffer.from(`[${events.join(',')}]`);
    const { connectHost, port, path, hostHeader } = this.target;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortError(signal));
      const request = http.request(
        {
          host: connectHost, port, path, method: 'POST', agent: this.agent, signal,
          headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, Host: hostHeader },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          response.on('error', (error) => reject(signal.aborted ? abortError(signal) : error));
          response.on('end', () => {
            if (status >= 200 && status < 300) resolve();
            else reject(new Error(`the subscriber answered HTTP ${status}`));
          });
          response.resume();
        },
      );
      request.on('error', (error) => reject(signal.aborted ? abortError(signal) : error));
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
