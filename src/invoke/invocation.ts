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

/** Where the runtime's answer goes: a buffered HTTP reply or an event stream. */
export interface ResponseSink {
  streamStart(contentType: string): void;
  streamChunk(chunk: Buffer): void;
  /** Called once. After streamed chunks the success outcome carries no body. */
  complete(outcome: Outcome): void;
}

const now = (): number => performance.now();

/** One invoke on its way through the environment: identity, deadline, timings, and its single outcome. */
export class Invocation {
  deadlineMs = 0;
  startedAt = 0;
  deliveredAt: number | undefined;
  responseStartedAt: number | undefined;
  responseEndedAt: number | undefined;
  producedBytes = 0;
  private result: Outcome | undefined;
  private readonly settled: Promise<Outcome>;
  private settle!: (outcome: Outcome) => void;

  constructor(readonly request: InvokeRequest, private readonly sink: ResponseSink) {
    this.settled = new Promise((resolve) => (this.settle = resolve));
  }

  get requestId(): string {
    return this.request.requestId;
  }

  get outcome(): Outcome | undefined {
    return this.result;
  }

  /** Resolves when the caller has its answer (the invoke phase may still be running). */
  get answered(): Promise<Outcome> {
    return this.settled;
  }

  markResponseStart(): void {
    this.responseStartedAt ??= now();
  }

  streamStart(contentType: string): void {
    this.markResponseStart();
    this.sink.streamStart(contentType);
  }

  streamChunk(chunk: Buffer): void {
    if (this.result) return;
    this.producedBytes += chunk.length;
    this.sink.streamChunk(chunk);
  }

  /** Records the outcome and answers the caller; later calls are ignored (the first answer wins). */
  complete(outcome: Outcome): boolean {
    if (this.result) return false;
    this.markResponseStart();
    this.responseEndedAt = now();
    if (outcome.kind === 'success' && outcome.body) this.producedBytes += outcome.body.length;
    this.result = outcome;
    this.sink.complete(outcome);
    this.settle(outcome);
    return true;
  }
}

export function platformError(status: Status, errorType: string, errorMessage: string): Outcome {
  return { kind: 'error', status, errorType, body: Buffer.from(JSON.stringify({ errorType, errorMessage })) };
}
