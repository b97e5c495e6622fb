import type { IncomingMessage, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number, readonly received: number) {
    super(`body larger than ${limit} bytes`);
  }
}

export class BodyTruncatedError extends Error {
  constructor() {
    super('HTTP request detected as truncated');
  }
}

/**
 * Reads a request body into memory, refusing it once it passes `limit` bytes (declared or actual). A refused body up
 * to `drainLimit` is still read to its end (and discarded) before the refusal, so the sender finishes its upload
 * and reads the error instead of a broken pipe; a larger one is refused at once.
 */
export function readBody(req: IncomingMessage, limit: number, drainLimit = limit): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    let tooLarge = declared > limit;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (error) reject(error);
      else if (tooLarge) reject(new BodyTooLargeError(limit, Math.max(size, declared || 0)));
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit && !tooLarge) {
        tooLarge = true;
        chunks.length = 0;
      }
      if (tooLarge && size > drainLimit) finish(new BodyTooLargeError(limit, size));
      else if (!tooLarge) chunks.push(chunk);
    };
    if (tooLarge && !(declared <= drainLimit)) {
      finish(new BodyTooLargeError(limit, declared));
      return;
    }
    req.on('data', onData);
    req.once('end', () => finish());
    req.once('close', () => finish(req.complete ? undefined : new BodyTruncatedError()));
    req.once('error', () => finish(new BodyTruncatedError()));
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  sendJsonText(res, status, JSON.stringify(body) + '\n', headers);
}

/** sendJson for a body serialised already (newline included), e.g. once for a reply that never changes. */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers?: Record<string, string>): void {
  const own = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
  res.writeHead(status, headers === undefined ? own : { ...own, ...headers });
  res.end(text);
}

/** After refusing a body we did not read, close the connection rather than drain megabytes we will discard. */
export function closeAfterResponse(res: ServerResponse): void {
  res.shouldKeepAlive = false;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}
