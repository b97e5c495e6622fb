import type * as http from 'node:http';
import { invalidRequestContent, LambdaError, requestTooLarge } from './errors';

/**
 * Reads a request body up to `limit` bytes. Past it the rest is read and dropped (so the client sees the answer
 * rather than a broken pipe) and Lambda's 413 is thrown.
 */
export function readBody(request: http.IncomingMessage, limit: number, operation: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > limit) reject(requestTooLarge(`Request must be smaller than ${limit} bytes for the ${operation} operation`));
      else resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

/** A JSON object body; an empty body is `{}`. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new LambdaError('SerializationException', 400, `Could not parse the request body as JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequestContent('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

export function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    ...(text !== '' ? { 'content-type': 'application/json' } : {}),
    'content-length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

export function sendError(response: http.ServerResponse, error: LambdaError, requestId: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, error.status, error.body(), { 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId, ...error.headers });
}
