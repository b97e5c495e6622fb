import type { Readable } from 'node:stream';

export type LogStream = 'stdout' | 'stderr';
export type LogLineHandler = (line: string, stream: LogStream) => void;

/**
 * Splits Docker's multiplexed log format (containers without a TTY) into lines per stream. Each frame is an
 * 8-byte header — stream type (1 stdout, 2 stderr), three zero bytes, payload length (big endian) — then the payload.
 */
export class LogDemuxer {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '' };

  constructor(private readonly onLine: LogLineHandler) {}

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 8) {
      const size = this.buffered.readUInt32BE(4);
      if (this.buffered.length < 8 + size) break;
      const stream: LogStream = this.buffered[0] === 2 ? 'stderr' : 'stdout';
      this.text(stream, this.buffered.subarray(8, 8 + size).toString('utf8'));
      this.buffered = this.buffered.subarray(8 + size);
    }
  }

  /** Emits what is left of unterminated lines. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.onLine(this.partial[stream], stream);
      this.partial[stream] = '';
    }
  }

  private text(stream: LogStream, text: string): void {
    const parts = (this.partial[stream] + text).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, stream);
  }
}

/** All lines of a finished (non-follow) multiplexed log buffer. */
export function demuxLogBuffer(buffer: Buffer): Array<{ line: string; stream: LogStream }> {
  const lines: Array<{ line: string; stream: LogStream }> = [];
  const demuxer = new LogDemuxer((line, stream) => lines.push({ line, stream }));
  demuxer.push(buffer);
  demuxer.end();
  return lines;
}

/** Feeds a followed multiplexed log stream to the handler; resolves when the stream ends (container stopped). */
export function pipeLogLines(stream: Readable, onLine: LogLineHandler): Promise<void> {
  const demuxer = new LogDemuxer(onLine);
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
    const finish = () => { demuxer.end(); resolve(); };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  });
}
