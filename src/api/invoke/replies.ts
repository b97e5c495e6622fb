import type { ServerResponse } from 'node:http';
import type { Outcome, ReplyPort } from '../../invoke/invocation';
import { MAX_RESPONSE_BYTES } from '../payloadLimits';
import { invokeComplete, payloadChunk } from '../eventStream';


interface ReplyContext {
  requestId: string;
  executedVersion: string;
  /** When set, the reply waits for the invocation's log tail (sent after REPORT). */
  wantsTail: boolean;
}

/** Headers every Invoke reply carries. */
function commonHeaders(ctx: ReplyContext): Record<string, string> {
  return { 'X-Amz-Executed-Version': ctx.executedVersion, 'x-amzn-RequestId': ctx.requestId };
}

/**
 * `Invoke` (RequestResponse): one HTTP reply with the whole result. A streamed runtime answer is collected here
 * and refused past 6 MB as Lambda does.
 */
export class BufferedReply implements ReplyPort {
  private chunks: Buffer[] = [];
  private size = 0;
  private overflow = false;
  private pending: { status: number; headers: Record<string, string | number>; body: Buffer } | undefined;

  constructor(private readonly res: ServerResponse, private readonly ctx: ReplyContext) {}

  streamStart(): void {}

  streamChunk(chunk: Buffer): void {
    if (this.overflow) return;
    this.size += chunk.length;
    if (this.size > MAX_RESPONSE_BYTES) {
      this.overflow = true;
      this.chunks = [];
    } else {
      this.chunks.push(chunk);
    }
  }

  complete(outcome: Outcome): void {
    const headers: Record<string, string | number> = commonHeaders(this.ctx);
    let body: Buffer;
    if (this.overflow) {
      headers['X-Amz-Function-Error'] = 'Unhandled';
      headers['Content-Type'] = 'application/json';
      body = Buffer.from(JSON.stringify({
        errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        errorType: 'Function.ResponseSizeTooLarge',
      }));
    } else if (outcome.kind === 'success') {
      headers['Content-Type'] = outcome.contentType;
      body = outcome.body ?? Buffer.concat(this.chunks);
    } else {
      headers['X-Amz-Function-Error'] = 'Unhandled';
      headers['Content-Type'] = 'application/json';
      body = outcome.body;
    }
    this.chunks = [];
    this.pending = { status: 200, headers, body };
    if (!this.ctx.wantsTail) this.flush(undefined);
  }

  /** Sends the reply (with the log tail, when one was asked for). */
  flush(logResult: string | undefined): void {
    const reply = this.pending;
    if (!reply || this.res.headersSent) return;
    this.pending = undefined;
    if (logResult !== undefined) reply.headers['X-Amz-Log-Result'] = logResult;
    reply.headers['Content-Length'] = reply.body.length;
    this.res.writeHead(reply.status, reply.headers);
    this.res.end(reply.body);
  }
}

/** `InvokeWithResponseStream`: AWS event-stream framing, a PayloadChunk per runtime chunk, then InvokeComplete. */
export class EventStreamReply implements ReplyPort {
  private pendingComplete: { ErrorCode?: string; ErrorDetails?: string } | undefined;

  constructor(private readonly res: ServerResponse, private readonly ctx: ReplyContext) {}

  streamStart(): void {
    this.begin(false);
  }

  streamChunk(chunk: Buffer): void {
    this.begin(false);
    this.res.write(payloadChunk(chunk));
  }

  complete(outcome: Outcome): void {
    if (outcome.kind === 'success') {
      this.begin(false);
      if (outcome.body && outcome.body.length > 0) this.res.write(payloadChunk(outcome.body));
      this.pendingComplete = {};
    } else {
      this.begin(true);
      this.pendingComplete = { ErrorCode: outcome.errorType, ErrorDetails: outcome.body.toString() };
    }
    if (!this.ctx.wantsTail) this.flush(undefined);
  }

  flush(logResult: string | undefined): void {
    const detail = this.pendingComplete;
    if (!detail || this.res.writableEnded) return;
    this.pendingComplete = undefined;
    this.res.end(invokeComplete(logResult === undefined ? detail : { ...detail, LogResult: logResult }));
  }

  private begin(failed: boolean): void {
    if (this.res.headersSent) return;
    const headers: Record<string, string> = {
      ...commonHeaders(this.ctx),
      'Content-Type': 'application/vnd.amazon.eventstream',
    };
    if (failed) headers['X-Amz-Function-Error'] = 'Unhandled';
    this.res.writeHead(200, headers);
    this.res.flushHeaders();
  }
}

/** `Event` invocations: the caller already has its 202; the result only shows in the log. */
export class DiscardedReply implements ReplyPort {
  streamStart(): void {}
  streamChunk(): void {}
  complete(): void {}
  flush(): void {}
}

export type InvokeReply = BufferedReply | EventStreamReply | DiscardedReply;
