import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';

export interface ZipEntry {
  data: string | Buffer;
  /** Unix permission bits (default 0o644). */
  mode?: number;
}

/** Writes a zip with the given entries (name → content and mode). */
export async function writeZip(file: string, entries: Record<string, ZipEntry>): Promise<string> {
  const zip = new ZipFile();
  for (const [name, entry] of Object.entries(entries)) {
    zip.addBuffer(Buffer.from(entry.data), name, { mode: 0o100000 | (entry.mode ?? 0o644) });
  }
  zip.end();
  await finish(zip, file);
  return file;
}

/** Writes a zip holding one file of `size` zero bytes, streamed (the zip itself stays small). */
export async function writeZeroFileZip(file: string, name: string, size: number): Promise<string> {
  const chunk = Buffer.alloc(1024 * 1024);
  let left = size;
  const zeros = new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
  const zip = new ZipFile();
  zip.addReadStream(zeros, name, { size, compressionLevel: 1 });
  zip.end();
  await finish(zip, file);
  return file;
}

function finish(zip: ZipFile, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(file)).on('close', () => resolve()).on('error', reject);
  });
}
