import * as fs from 'node:fs';

const BUFFER_BYTES = 8192;
const buffer = Buffer.allocUnsafe(BUFFER_BYTES);

/**
 * A /proc or cgroup file read again and again (after every invoke): opened once, then re-read from offset 0 with
 * pread, one syscall instead of open, read and close. The kernel generates such files anew on every read from
 * offset 0. When the descriptor fails (the process was reaped, the cgroup removed) the path is opened afresh, so a
 * read sees what opening the path now would: nothing, or whoever has the path now.
 */
export class KeptOpenFile {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  /** The whole file as latin1 text, or undefined when it cannot be opened or read. */
  read(): string | undefined {
    if (this.fd !== undefined) {
      const text = this.readFd(this.fd);
      if (text !== undefined) return text;
      this.close();
    }
    try {
      this.fd = fs.openSync(this.path, 'r');
    } catch {
      return undefined;
    }
    return this.readFd(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private readFd(fd: number): string | undefined {
    try {
      let length = fs.readSync(fd, buffer, 0, BUFFER_BYTES, 0);
      if (length < BUFFER_BYTES) return buffer.toString('latin1', 0, length);
      const parts: string[] = [];
      let position = 0;
      do {
        parts.push(buffer.toString('latin1', 0, length));
        position += length;
      } while ((length = fs.readSync(fd, buffer, 0, BUFFER_BYTES, position)) > 0);
      return parts.join('');
    } catch {
      return undefined;
    }
  }
}

/**
 * Kept-open files for a set of processes that changes now and then: each round reads some of them, and the files
 * not read in a round are closed at its end. Past `max` files a round reads by path, holding no descriptor.
 */
export class KeptOpenFiles<K> {
  private kept = new Map<K, KeptOpenFile>();
  private used = new Map<K, KeptOpenFile>();

  constructor(private readonly pathOf: (key: K) => string, private readonly max = 64) {}

  read(key: K): string | undefined {
    const file = this.used.get(key) ?? this.kept.get(key) ?? new KeptOpenFile(this.pathOf(key));
    const text = file.read();
    if (this.used.size < this.max || this.used.has(key)) this.used.set(key, file);
    else file.close();
    return text;
  }

  /** Closes the files this round did not read. */
  endRound(): void {
    for (const [key, file] of this.kept) if (this.used.get(key) !== file) file.close();
    this.kept = this.used;
    this.used = new Map();
  }
}
