import * as fs from 'node:fs';

const WINDOW_BYTES = 1 << 20;

/**
 * Synchronous reads of a zip through one reusable 1 MiB window, for batch extraction (entries of a batch are
 * sorted by offset, so most reads hit the window). A returned buffer is only valid until the next read.
 */
export class SyncWindowReader {
  private readonly window = Buffer.allocUnsafe(WINDOW_BYTES);
  private windowStart = 0;
  private windowLength = 0;

  constructor(readonly fd: number, readonly size: number) {}

  /** Bytes [position, position + length), or undefined when the file ends before that. */
  read(position: number, length: number): Buffer | undefined {
    if (position < 0 || position + length > this.size) return undefined;
    if (length > WINDOW_BYTES) {
      const buffer = Buffer.allocUnsafe(length);
      return this.fill(buffer, length, position) ? buffer : undefined;
    }
    const inWindow = position >= this.windowStart && position + length <= this.windowStart + this.windowLength;
    if (!inWindow) {
      const wanted = Math.min(WINDOW_BYTES, this.size - position);
      this.windowLength = 0;
      if (!this.fill(this.window, wanted, position)) return undefined;
      this.windowStart = position;
      this.windowLength = wanted;
    }
    const from = position - this.windowStart;
    return this.window.subarray(from, from + length);
  }

  private fill(buffer: Buffer, length: number, position: number): boolean {
    for (let filled = 0; filled < length;) {
      const bytesRead = fs.readSync(this.fd, buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) return false;
      filled += bytesRead;
    }
    return true;
  }
}
