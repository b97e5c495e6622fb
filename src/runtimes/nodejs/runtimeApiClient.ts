import * as http from 'node:http';
import type { RapidError } from './errors';

/** Which invocation a POST is about: its request id, and the invocation id to echo when /next gave one. */
export interface InvocationRef {
  requestId: string;
  /**
   * `Lambda-Runtime-Invocation-Id` from /next, echoed on /response and /error so the Runtime API can refuse an answer
   * for an invocation that already ended (docs/nodejs-runtime.md, "Invocation ids").
   */
  invocationId: string | undefined;
}

/** One event from `GET /runtime/invocation/next`. */
export interface Invocation extends InvocationRef {
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
export const INVOCATION_ID_HEADER = 'Lambda-Runtime-Invocation-Id';

/** The invocation id header to send back, or nothing when /next carried none (then nothing is echoed). */
function echoHeaders(invocation: InvocationRef): http.OutgoingHttpHeaders {
  return invocation.invocationId === undefined ? {} : { [INVOCATION_ID_HEADER]: invocation.invocationId };
}

function invocationPath(invocation: InvocationRef, what: 'response' | 'error'): string {
  return `/runtime/invocation/${encodeURIComponent(invocation.requestId)}/${what}`;
}

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
 * HTTP client of the Runtime API (docs/lambda-behaviour.md#runtime-api). One keep-alive connection serves the whole loop: an idle keep-alive socket
 * is unref'd by node:http, so it never keeps the event loop alive (callbackWaitsForEmptyEventLoop relies on that).
 */
export class RuntimeApiClient {
  readonly host: string;
  readonly port: number;
  readonly agent: http.Agent;

  /** `connections`: one per invoke loop sharing this client (several in Managed Instances mode). */
  constructor(address: string | undefined, connections = 1) {
    ({ host: this.host, port: this.port } = parseRuntimeApiAddress(address));
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
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
    const invocationId = headers[INVOCATION_ID_HEADER.toLowerCase()];
    return { requestId, invocationId: typeof invocationId === 'string' && invocationId !== '' ? invocationId : undefined, body, headers };
  }

  /**
   * Posts a buffered result; the caller goes on to /next whatever the answer (the init reports rejected results, and
   * a 410 for an invocation that already timed out is logged by the init, not by the runtime).
   */
  async postResponse(invocation: InvocationRef, body: string): Promise<ApiReply> {
    return this.post(invocationPath(invocation, 'response'), body, echoHeaders(invocation));
  }

  async postError(invocation: InvocationRef, error: RapidError): Promise<ApiReply> {
    return this.postErrorTo(invocationPath(invocation, 'error'), error, echoHeaders(invocation));
  }

  async postInitError(error: RapidError): Promise<ApiReply> {
    return this.postErrorTo('/runtime/init/error', error, {});
  }

  /** A chunked `POST .../response` request the caller writes to; see responseStream.ts. */
  streamingRequest(invocation: InvocationRef, headers: http.OutgoingHttpHeaders): http.ClientRequest {
    return http.request({
      host: this.host,
      port: this.port,
      method: 'POST',
      path: API_VERSION + invocationPath(invocation, 'response'),
      headers: { ...headers, ...echoHeaders(invocation) },
      agent: this.agent,
    });
  }

  private async postErrorTo(path: string, error: RapidError, headers: http.OutgoingHttpHeaders): Promise<ApiReply> {
    return this.post(path, JSON.stringify(error), { ...headers, [ERROR_TYPE_HEADER]: headerSafe(error.errorType) });
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
