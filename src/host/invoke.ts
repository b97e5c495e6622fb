import * as http from 'node:http';

/** The RIE-compatible invoke path every lambda-sandbox answers, whatever the function is called. */
export const INVOKE_PATH = '/2015-03-31/functions/function/invocations';

export interface InvokeOptions {
  /** `RequestResponse` (default), `Event` or `DryRun`. */
  invocationType?: 'RequestResponse' | 'Event' | 'DryRun';
  /** Ask for the last 4 KB of the invoke's log (`X-Amz-Log-Type: Tail`). */
  tail?: boolean;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface InvokeResult {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** `X-Amz-Function-Error` (e.g. "Unhandled") when the function failed. */
  functionError?: string;
  /** The decoded `X-Amz-Log-Result` when `tail` was asked for. */
  logTail?: string;
}

/** POSTs a payload (a string, bytes, or a value sent as JSON) to an invoke URL and returns the whole answer. */
export function invokeFunction(url: string, payload: unknown = {}, options: InvokeOptions = {}): Promise<InvokeResult> {
  const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? Buffer.from(payload) : Buffer.from(JSON.stringify(payload));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    ...(options.invocationType ? { 'x-amz-invocation-type': options.invocationType } : {}),
    ...(options.tail ? { 'x-amz-log-type': 'Tail' } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const logResult = response.headers['x-amz-log-result'];
        const functionError = response.headers['x-amz-function-error'];
        resolve({
          statusCode: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          functionError: typeof functionError === 'string' ? functionError : undefined,
          logTail: typeof logResult === 'string' ? Buffer.from(logResult, 'base64').toString('utf8') : undefined,
        });
      });
    });
    request.setTimeout(options.timeoutMs ?? 15 * 60 * 1000 + 10_000, () => {
      request.destroy(new Error(`no answer from ${url} within ${options.timeoutMs} ms`));
    });
    request.on('error', reject);
    request.end(body);
  });
}
