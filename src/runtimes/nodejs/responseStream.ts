import type * as http from 'node:http';
import { Writable } from 'node:stream';
import { InvalidStreamingOperation, toRapidError } from './errors';

const ERROR_TYPE_TRAILER = 'Lambda-Runtime-Function-Error-Type';
const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Opens the chunked `POST .../response` request with the given headers (RuntimeApiClient.streamingRequest). */
export type OpenRequest = (headers: http.OutgoingHttpHeaders) => http.ClientRequest;

type FirstWriteHook = (write: (chunk: string | Uint8Array) => void) => void;

/**
 * The `responseStream` a streaming handler writes to (docs/lambda-behaviour.md#response-streaming). Each write goes out as one HTTP chunk of a
 * `Lambda-Runtime-Function-Response-Mode: streaming` POST; a failure is sent as the error trailers.
 * The POST is opened on the first write or end, so setContentType works until then.
 */
export class ResponseStream extends Writable {
  private contentType = DEFAULT_CONTENT_TYPE;
  private request: http.ClientRequest | undefined;
  private failed = false;
  /**
   * The Runtime API's status code once the POST is complete, or 0 when the connection closed without an answer
   * (the invoke loop then goes on; a Runtime API that is really gone fails its next /next).
   */
  readonly apiReply: Promise<number>;
  private settleReply!: (status: number) => void;
  /** Set by awslambda.HttpResponseStream.from: writes the prelude before the first body byte. */
  _onBeforeFirstWrite: FirstWriteHook | undefined;

  constructor(private readonly open: OpenRequest, highWaterMark?: number) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.apiReply = new Promise((resolve) => {
      this.settleReply = resolve;
    });
    // Stream errors (write after end, a broken connection) end the invocation through fail(), never as a crash of
    // the runtime because the handler attached no 'error' listener.
    this.on('error', () => {});
  }

  setContentType(contentType: string): void {
    if (this.request !== undefined) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    this.contentType = contentType;
  }

  /** Like Lambda's stream: anything that is not a string or bytes is written as its JSON text. */
  override write(chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    // The overloads of Writable.write cannot be forwarded one by one; the arguments are passed on unchanged.
    return (super.write as (...args: unknown[]) => boolean)(data, encodingOrCallback, callback);
  }

  /** Ends the POST with error trailers (once); the response so far stays as it is. Returns when it is sent. */
  async fail(error: unknown): Promise<void> {
    if (this.failed) return;
    this.failed = true;
    const request = this.openOnce();
    // Ended: the response is complete already. Destroyed: the connection broke and apiReply says so.
    if (request.writableEnded || request.destroyed) return;
    const rapid = toRapidError(error);
    request.addTrailers({
      [ERROR_TYPE_TRAILER]: rapid.errorType,
      [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(rapid)).toString('base64'),
    });
    await new Promise<void>((resolve) => request.end(() => resolve()));
    if (!this.destroyed) this.destroy();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const request = this.openOnce();
    if (request.writableEnded || request.destroyed) {
      done(new InvalidStreamingOperation('The response stream is closed.'));
      return;
    }
    if (request.write(chunk)) done();
    else request.once('drain', () => done());
  }

  override _final(done: (error?: Error | null) => void): void {
    const request = this.openOnce();
    if (request.writableEnded) {
      done();
      return;
    }
    request.end(() => done());
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (error && !this.failed) {
      // A handler that destroys its stream with an error fails the invocation, like a thrown error.
      this.fail(error).then(() => done(error), () => done(error));
      return;
    }
    // Destroyed without a reason: the response is cut off, as when Lambda's stream is destroyed.
    if (!this.failed && this.request !== undefined && !this.request.writableEnded) this.request.destroy();
    done(error);
  }

  private openOnce(): http.ClientRequest {
    if (this.request !== undefined) return this.request;
    const request = this.open({
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Content-Type': this.contentType,
      'Transfer-Encoding': 'chunked',
      Trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
    });
    this.request = request;
    request.on('response', (response: http.IncomingMessage) => {
      response.resume();
      response.on('end', () => this.settleReply(response.statusCode ?? 0));
    });
    request.on('close', () => this.settleReply(0));
    request.on('error', () => {
      if (!this.destroyed) this.destroy();
    });
    const hook = this._onBeforeFirstWrite;
    if (typeof hook === 'function') hook((chunk) => request.write(chunk));
    return request;
  }
}
