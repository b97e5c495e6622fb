import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import {
  corruptData, crcMismatch, cutShort, dataStartFrom, DEFLATED, type EntryProblem, LOCAL_HEADER_FIXED_BYTES,
  tooFewBytes, tooManyBytes,
} from './entryProblems';
import { inflateOptions } from './inflateOptions';
import { writeChunks } from './fsOps';
import { entryError, UnpackError } from './unpackError';
import { ShortReadError } from './windowedReader';
import type { PlannedEntry } from './zipPlan';
import type { ZipSource } from './zipSource';

const INFLATE_CHUNK_BYTES = 512 * 1024;
const SINK_BUFFER_BYTES = 2 << 20;

/**
 * Getting an entry's bytes out of the zip on the main thread, never trusting the headers: every entry is held to
 * its declared size (stopping as soon as it inflates past it) and checked against its CRC-32.
 */

function fail(source: ZipSource, planned: PlannedEntry, problem: EntryProblem): UnpackError {
  return entryError(source.archive, problem.kind, planned.name, problem.problem);
}

/** Where the entry's data starts, from its local header, checked against the range the central directory allows. */
async function locateData(source: ZipSource, planned: PlannedEntry): Promise<number> {
  const { entry } = planned;
  const header = await source.reader.readRange(entry.relativeOffsetOfLocalHeader, LOCAL_HEADER_FIXED_BYTES)
    .catch((err: unknown) => { throw readFailure(source, planned, err); });
  const start = dataStartFrom(header, entry.relativeOffsetOfLocalHeader, entry.compressedSize, planned.dataLimit);
  if (typeof start !== 'number') throw fail(source, planned, start);
  return start;
}

/** The whole entry in memory: for small entries (symbolic link targets, files that collided with existing ones). */
export async function readWholeEntry(source: ZipSource, planned: PlannedEntry): Promise<Buffer> {
  const start = await locateData(source, planned);
  const raw = await source.reader.readRange(start, planned.entry.compressedSize)
    .catch((err: unknown) => { throw readFailure(source, planned, err); });
  let data = raw;
  if (planned.entry.compressionMethod === DEFLATED && raw.length > 0) {
    try {
      // Synchronous on purpose: for small entries zlib's async API costs the main thread more than the inflate.
      data = zlib.inflateRawSync(raw, inflateOptions(planned.size));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw fail(source, planned, tooManyBytes(planned.size, planned.size + 1));
      }
      throw fail(source, planned, corruptData((err as Error).message));
    }
  }
  if (data.length > planned.size) throw fail(source, planned, tooManyBytes(planned.size, data.length));
  if (data.length < planned.size) throw fail(source, planned, tooFewBytes(planned.size, data.length));
  const crc = crcMismatch(planned.entry.crc32, zlib.crc32(data));
  if (crc) throw fail(source, planned, crc);
  return data;
}

/** Streams a large entry into an open file, checking size and CRC on the way. */
export async function streamEntry(source: ZipSource, planned: PlannedEntry, fd: number, signal: AbortSignal): Promise<void> {
  const start = await locateData(source, planned);
  const raw = await source.openRawStream(start, planned.entry.compressedSize);
  const sink = new VerifyingSink(source, planned, fd);
  const stages: NodeJS.ReadWriteStream[] = planned.entry.compressionMethod === DEFLATED
    ? [zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES })]
    : [];
  try {
    await pipeline([raw, ...stages, sink], { signal });
  } catch (err) {
    if (err instanceof UnpackError || (err as Error).name === 'AbortError') throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code?.startsWith('Z_')) throw fail(source, planned, corruptData((err as Error).message));
    if (typeof (err as NodeJS.ErrnoException).errno === 'number') throw err; // a write error: the caller names the file
    throw readFailure(source, planned, err);
  }
}

/** Writes to the file only bytes that are within the declared size; checks the total and CRC at the end. */
class VerifyingSink extends Writable {
  private bytes = 0;
  private crc = 0;

  constructor(private readonly source: ZipSource, private readonly planned: PlannedEntry, private readonly fd: number) {
    super({ highWaterMark: SINK_BUFFER_BYTES });
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (err?: Error | null) => void): void {
    const buffers = chunks.map((c) => c.chunk);
    for (const buffer of buffers) {
      this.bytes += buffer.length;
      if (this.bytes > this.planned.size) {
        return callback(fail(this.source, this.planned, tooManyBytes(this.planned.size, this.bytes)));
      }
      this.crc = zlib.crc32(buffer, this.crc);
    }
    writeChunks(this.fd, buffers).then(() => callback(), callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.bytes < this.planned.size) {
      return callback(fail(this.source, this.planned, tooFewBytes(this.planned.size, this.bytes)));
    }
    const crc = crcMismatch(this.planned.entry.crc32, this.crc);
    callback(crc ? fail(this.source, this.planned, crc) : null);
  }
}

function readFailure(source: ZipSource, planned: PlannedEntry, err: unknown): UnpackError {
  if (err instanceof UnpackError) return err;
  if (err instanceof ShortReadError || /unexpected EOF|not enough bytes|too many bytes/.test((err as Error).message)) {
    return fail(source, planned, cutShort());
  }
  return entryError(source.archive, 'unreadable', planned.name, `could not be read (${(err as Error).message})`);
}
