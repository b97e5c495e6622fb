import { randomUUID } from 'node:crypto';
import type { Status } from '../telemetry/events';

/** What the caller asked for, already validated by the Invoke API. */
export interface InvokeRequest {
  requestId: string;
  payload: Buffer;
  contentType: string;
  invokedFunctionArn: string;
  traceId: string;
  /** Decoded client context JSON, when the caller sent one. */
  clientContext?: string;
  cognitoIdentity?: string;
  tenantId?: string;
}

/** How an invocation ended, as the caller sees it. */
export type Outcome =
  | { kind: 'success'; contentType: string; body: Buffer | undefined }
  | {
      kind: 'error';
      /** For the REPORT line and telemetry; `success` for a handled function error posted to /error. */
      status: Status;
      errorType: string;
      body: Buffer;
    };

/** Where the runtime's answer goes: a buffered HTTP reply, an event stream, or nowhere (Event invokes). */
export interface ReplyPort {
  streamStart(contentType: string): void;
  streamChunk(chunk: Buffer): void;
  /** Called once. After streamed chunks the success outcome carries no body. */
  complete(outcome: Outcome): void;
}

/** The side of an invocation the runtime's result is written to (by the Runtime API's /response and /error). */
export interface ResultPort {
  markResponseStart(): void;
  streamStart(contentType: string): void;
  streamChunk(chunk: Buffer): void;
  complete(outcome: Outcome): boolean;
}

/**
 * The moments of one invocation (performance time). Each is set once; a timeline handed out is a frozen copy, so it
 * never changes under the telemetry functions.
 */
export interface Timeline {
  /** The Invoke API accepted the request (it may then wait in the queue). */
  readonly received: number;
  /** The invoke phase began (platform.start). */
  readonly started?: number;
  /** The runtime received the event. */
  readonly delivered?: number;
  readonly responseStarted?: number;
  readonly responseEnded?: number;
  /** The runtime was back in /next (or failed). */
  readonly runtimeDone?: number;
  /** The last INVOKE extension was back in /event/next. */
  readonly extensionsDone?: number;
  /** The runtime and the extensions are done: Duration ends here, before any freeze or reset. */
  readonly ended?: number;
}

export type Moment = Exclude<keyof Timeline, 'received'>;

/** The invocation's time limit, in performance time and as the epoch milliseconds the runtime is told. */
export interface Deadline {
  readonly at: number;
  readonly epochMs: number;
}

export function deadlineAfter(ms: number): Deadline {
  return { at: performance.now() + ms, epochMs: Date.now() + ms };
}

/** One invoke on its way through the environment: identity, reply port, timeline, and its single outcome. */
export class Invocation implements ResultPort {
  /**
   * The platform's id for this invocation, sent on /next as `Lambda-Runtime-Invocation-Id` and checked when the
   * runtime echoes it (docs/lambda-behaviour.md#invocation-ids). Distinct from the request id.
   */
  readonly invocationId = randomUUID();
  private readonly moments: { -readonly [M in keyof Timeline]: Timeline[M] };
  /** The frozen copy `timeline` last handed out, until the next mark. */
  private snapshot: Timeline | undefined;
  private result: Outcome | undefined;
  /** Set when the event is handed to the runtime; the same value goes to the runtime and the extensions. */
  deadline: Deadline | undefined;
  producedBytes = 0;

  constructor(readonly request: InvokeRequest, private readonly reply: ReplyPort) {
    this.moments = { received: performance.now() };
  }

  get requestId(): string {
    return this.request.requestId;
  }

  get timeline(): Timeline {
    return (this.snapshot ??= Object.freeze({ ...this.moments }));
  }

  get outcome(): Outcome | undefined {
    return this.result;
  }

  /** Records a moment the first time it happens (`at` defaults to now). */
  mark(moment: Moment, at = performance.now()): void {
    if (this.moments[moment] !== undefined) return;
    this.moments[moment] = at;
    this.snapshot = undefined;
  }

  markResponseStart(): void {
    this.mark('responseStarted');
  }

  streamStart(contentType: string): void {
    this.markResponseStart();
    this.reply.streamStart(contentType);
  }

  streamChunk(chunk: Buffer): void {
    if (this.result) return;
    this.producedBytes += chunk.length;
    this.reply.streamChunk(chunk);
  }

  /** Records the outcome and answers the caller; later calls are ignored (the first answer wins). */
  complete(outcome: Outcome): boolean {
    if (this.result) return false;
    this.markResponseStart();
    this.mark('responseEnded');
    if (outcome.kind === 'success' && outcome.body) this.producedBytes += outcome.body.length;
    this.result = outcome;
    this.reply.complete(outcome);
    return true;
  }
}
