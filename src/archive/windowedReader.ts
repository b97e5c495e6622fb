import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import * as yauzl from 'yauzl';

/**
 * Reads a zip file through a few cached 1 MiB windows. yauzl reads the central directory with two small reads per
 * entry and each local header with two more; for 10,000 entries that is 40,000 trips to the thread pool. With
 * windows it is a handful of reads, and the data of small entries is usually already in memory too.
 */
const WINDOW_BYTES = 1 << 20;
const MAX_WINDOWS = 4;
/** Large file data is streamed in chunks this size. */
const STREAM_CHUNK_BYTES = 1 << 20;

/** The file ends before a range that was asked for. */
export class ShortReadError extends Error {
  constructor(readonly position: number, readonly length: number, readonly fileSize: number) {
    super(`the zip file ends at byte ${fileSize}, before byte ${position + length}`);
  }
}

export class WindowedReader extends yauzl.RandomAccessReader {
  private readonly windows = new Map<number, Promise<Buffer>>();
  private readonly loaded = new Map<number, Buffer>();

  constructor(readonly fd: number, readonly size: number) {
    super();
  }

  /** Bytes [position, position + length) of the file; a view into a cached window when it fits in one. */
  readRange(position: number, length: number): Promise<Buffer> {
    if (length === 0) return Promise.resolve(Buffer.alloc(0));
    if (position < 0 || position + length > this.size) {
      return Promise.reject(new ShortReadError(position, length, this.size));
    }
    const start = position - (position % WINDOW_BYTES);
    if (position + length > start + WINDOW_BYTES) return readExactly(this.fd, position, length);
    return this.window(start).then((window) => window.subarray(position - start, position - start + length));
  }

  private window(start: number): Promise<Buffer> {
    let window = this.windows.get(start);
    if (window === undefined) {
      window = readExactly(this.fd, start, Math.min(WINDOW_BYTES, this.size - start));
      window.then((buffer) => this.loaded.set(start, buffer), () => this.windows.delete(start));
      this.windows.set(start, window);
      if (this.windows.size > MAX_WINDOWS) {
        const oldest = this.windows.keys().next().value as number;
        this.windows.delete(oldest);
        this.loaded.delete(oldest);
      }
    }
    return window;
  }

  /** The bytes if they are in a window already read (the common case while reading a central directory). */
  private cached(position: number, length: number): Buffer | undefined {
    const start = position - (position % WINDOW_BYTES);
    if (position + length > start + WINDOW_BYTES) return undefined;
    const window = this.loaded.get(start);
    if (window === undefined || position - start + length > window.length) return undefined;
    return window.subarray(position - start, position - start + length);
  }

  /** yauzl's low-level read; a short count makes yauzl report "unexpected EOF". */
  override read(
    buffer: Buffer, offset: number, length: number, position: number,
    callback: (err: Error | null, bytesRead?: number) => void,
  ): void {
    const available = Math.max(0, Math.min(length, this.size - position));
    const hit = this.cached(position, available);
    if (hit !== undefined) {
      hit.copy(buffer, offset);
      // Never call back synchronously: yauzl would recurse once per entry.
      queueMicrotask(() => callback(null, available));
      return;
    }
    this.readRange(position, available).then(
      (data) => {
        data.copy(buffer, offset);
        callback(null, available);
      },
      (err: Error) => callback(err),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return new RangeStream(this.fd, start, end);
  }

  override close(callback: (err: Error | null) => void): void {
    this.windows.clear();
    this.loaded.clear();
    fs.close(this.fd, (err) => callback(err));
  }
}

function readExactly(fd: number, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  return new Promise((resolve, reject) => {
    const readMore = (filled: number): void => {
      fs.read(fd, buffer, filled, length - filled, position + filled, (err, bytesRead) => {
        if (err) return reject(err);
        if (bytesRead === 0) return reject(new ShortReadError(position, length, position + filled));
        if (filled + bytesRead === length) return resolve(buffer);
        readMore(filled + bytesRead);
      });
    };
    readMore(0);
  });
}

/**
 * Streams [start, end) of the file. Unlike fs.ReadStream it never closes the descriptor, even when destroyed:
 * the descriptor belongs to the reader and is shared by every entry of the zip.
 */
class RangeStream extends Readable {
  private position: number;

  constructor(private readonly fd: number, start: number, private readonly end: number) {
    super({ highWaterMark: STREAM_CHUNK_BYTES });
    this.position = start;
  }

  override _read(): void {
    const length = Math.min(STREAM_CHUNK_BYTES, this.end - this.position);
    if (length <= 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafe(length);
    fs.read(this.fd, buffer, 0, length, this.position, (err, bytesRead) => {
      if (this.destroyed) return;
      if (err) return this.destroy(err);
      if (bytesRead === 0) return this.destroy(new ShortReadError(this.position, length, this.position));
      this.position += bytesRead;
      this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
    });
  }
}
