import type { EventStream, PlatformEvent } from './events';
import { logText, mayLog, type LogFormat } from './logLines';

export const TAIL_BYTES = 4096;

interface Capture {
  requestId: string;
  chunks: Buffer[];
  bytes: number;
}

/**
 * The function's log stream: every event's text goes to `out` (the container's stdout, Lambda's CloudWatch stream),
 * and the text between an invocation's START and REPORT is kept for `X-Amz-Log-Type: Tail`.
 *
 * Texts are batched: everything emitted in one turn of the event loop (START with the first lines of output; END
 * with REPORT) reaches `out` as one string at the end of that turn (setImmediate), in order, byte for byte. A
 * write to a pipe or file is a synchronous syscall, so this saves one or two per invoke. Whatever is pending is
 * written on close() and when the process exits.
 */
export class LogStream {
  private capture: Capture | undefined;
  private readonly tails = new Map<string, Buffer>();
  private readonly unsubscribe: () => void;
  private pending = '';
  private flushScheduled = false;
  private readonly flushOnExit = (): void => this.flush();

  constructor(events: EventStream, private readonly format: LogFormat, private readonly out: (text: string) => void) {
    this.unsubscribe = events.subscribe((event) => this.onEvent(event), (type) => mayLog(type, format));
    process.on('exit', this.flushOnExit);
  }

  /** Writes what is pending now (also done at the end of each event-loop turn, on close() and at exit). */
  flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.out(text);
  }

  /** Asks for the tail of an invocation that has not started yet; it is kept until taken. */
  wantTail(requestId: string): void {
    this.tails.set(requestId, Buffer.alloc(0));
  }

  /** The last 4 KB of the invocation's log text, base64, once its REPORT has been written. */
  takeTail(requestId: string): string | undefined {
    const tail = this.tails.get(requestId);
    this.tails.delete(requestId);
    return tail?.toString('base64');
  }

  close(): void {
    this.unsubscribe();
    this.flush();
    process.removeListener('exit', this.flushOnExit);
  }

  private onEvent(event: PlatformEvent): void {
    if (event.type === 'platform.start' && this.tails.has(event.record.requestId)) {
      this.capture = { requestId: event.record.requestId, chunks: [], bytes: 0 };
    }
    const text = logText(event, this.format);
    if (text !== undefined) {
      this.write(text);
      if (this.capture) this.append(this.capture, text);
    }
    if (event.type === 'platform.report' && this.capture?.requestId === event.record.requestId) {
      const all = Buffer.concat(this.capture.chunks);
      this.tails.set(this.capture.requestId, all.subarray(Math.max(0, all.length - TAIL_BYTES)));
      this.capture = undefined;
    }
  }

  private write(text: string): void {
    this.pending += text;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private append(capture: Capture, text: string): void {
    const chunk = Buffer.from(text);
    capture.chunks.push(chunk);
    capture.bytes += chunk.length;
    // Keep memory bounded on chatty functions: only the last TAIL_BYTES can ever be returned.
    while (capture.chunks.length > 1 && capture.bytes - capture.chunks[0].length >= TAIL_BYTES) {
      capture.bytes -= capture.chunks[0].length;
      capture.chunks.shift();
    }
  }
}
