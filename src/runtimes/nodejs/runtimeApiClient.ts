import * as http from 'node:http';
import type { RapidError } from './errors';

/** One event from `GET /runtime/invocation/next`. */
export interface Invocation {
  requestId: string;
  body: string;
  /** Response headers, names in lower case as node:http gives them. */
  headers: http.IncomingHttpHeaders;
}

export interface ApiReply {
  status: number;
  body: string;
}

/** The Runtime API could not be used at all (refused connection, bad answer to /next): the runtime must exit. */
export class RuntimeApiError extends Error {
  override name = 'RuntimeApiError';
}

const API_VERSION = '/2018-06-01';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';

/** Splits `host:port` or `[v6]:port` as AWS_LAMBDA_RUNTIME_API gives it. */
export function parseRuntimeApiAddress(address: string | undefined): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address ?? '');
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    throw new RuntimeApiError(`AWS_LAMBDA_RUNTIME_API must be host:port, got ${JSON.stringify(address ?? '')}`);
  }
  return { host: match[1] ?? match[2], port };
}

/**
 * HTTP client of the Runtime API (spec 2). One keep-alive connection serves the whole loop: an idle keep-alive socket
 * is unref'd by node:http, so it never keeps the event loop alive (callbackWaitsForEmptyEventLoop relies on that).
 */
export class RuntimeApiClient {
  readonly host: string;
  readonly port: number;
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(address: string | undefined) {
    ({ host: this.host, port: this.port } = parseRuntimeApiAddress(address));
  }

  async next(): Promise<Invocation> {
    const { status, body, headers } = await this.send('GET', `${API_VERSION}/runtime/invocation/next`, {});
    const requestId = headers['lambda-runtime-aws-request-id'];
    if (status !== 200) {
      throw new RuntimeApiError(`GET /runtime/invocation/next answered ${status}: ${body.trim()}`);
    }
    if (typeof requestId !== 'string' || requestId === '') {
      throw new RuntimeApiError('GET /runtime/invocation/next answered without a Lambda-Runtime-Aws-Request-Id header');
    }
    return { requestId, body, headers };
  }

  /** Posts a buffered result; the caller goes on to /next whatever the answer (the init reports rejected results). */
  async postResponse(requestId: string, body: string): Promise<ApiReply> {
    return this.post(`/runtime/invocation/${encodeURIComponent(requestId)}/response`, body, {});
  }

  async postError(requestId: string, error: RapidError): Promise<ApiReply> {
    return this.postErrorTo(`/runtime/invocation/${encodeURIComponent(requestId)}/error`, error);
  }

  async postInitError(error: RapidError): Promise<ApiReply> {
    return this.postErrorTo('/runtime/init/error', error);
  }

  /** A chunked `POST .../response` request the caller writes to; see responseStream.ts. */
  streamingRequest(requestId: string, headers: http.OutgoingHttpHeaders): http.ClientRequest {
    return http.request({
      host: this.host,
      port: this.port,
      method: 'POST',
      path: `${API_VERSION}/runtime/invocation/${encodeURIComponent(requestId)}/response`,
      headers,
      agent: this.agent,
    });
  }

  private async postErrorTo(path: string, error: RapidError): Promise<ApiReply> {
    return this.post(path, JSON.stringify(error), { [ERROR_TYPE_HEADER]: headerSafe(error.errorType) });
  }

  private async post(path: string, body: string, headers: http.OutgoingHttpHeaders): Promise<ApiReply> {
    const { status, body: reply } = await this.send('POST', API_VERSION + path, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      ...headers,
    }, body);
    return { status, body: reply };
  }

  private send(
    method: string,
    path: string,
    headers: http.OutgoingHttpHeaders,
    body?: string,
    retried = false,
  ): Promise<ApiReply & { headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const request = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers }),
        );
        response.on('error', reject);
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed just before we reused it: nothing reached the server, so try once more.
        if (!retried && request.reusedSocket && error.code === 'ECONNRESET') {
          this.send(method, path, headers, body, true).then(resolve, reject);
        } else {
          reject(new RuntimeApiError(`${method} ${path} failed: ${error.message}`));
        }
      });
      request.end(body);
    });
  }
}

/** Header values cannot hold control characters; an odd error name must not crash the report of the error. */
function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}
