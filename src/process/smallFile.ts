import * as fs from 'node:fs';

const BUFFER_BYTES = 8192;
const buffer = Buffer.allocUnsafe(BUFFER_BYTES);

/**
 * A small /proc or cgroup file as latin1 text, or undefined when it cannot be opened (the process or cgroup is
 * gone). Three syscalls (open, read, close) into one reused buffer, where fs.readFileSync makes five and allocates:
 * these are read after every invoke. Longer files are read to their end in further reads.
 */
export function readSmallFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = fs.readSync(fd, buffer, 0, BUFFER_BYTES, null);
    if (length < BUFFER_BYTES) return buffer.toString('latin1', 0, length);
    const parts = [buffer.toString('latin1', 0, length)];
    while ((length = fs.readSync(fd, buffer, 0, BUFFER_BYTES, null)) > 0) parts.push(buffer.toString('latin1', 0, length));
    return parts.join('');
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
