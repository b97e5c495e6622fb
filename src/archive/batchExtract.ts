import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import {
  corruptData, crcMismatch, cutShort, dataStartFrom, DEFLATED, type EntryProblem, LOCAL_HEADER_FIXED_BYTES,
  tooFewBytes, tooManyBytes,
} from './entryProblems';
import { inflateOptions } from './inflateOptions';
import { CREATE_EXCLUSIVE, errnoText } from './fsOps';
import type { SyncWindowReader } from './syncWindowReader';

/**
 * Extraction of many small files with synchronous calls, in a worker thread (or inline for small zips). Per file
 * it is one read from a window, one inflate, one CRC, then open/write/close: no promises, no thread-pool round
 * trips. Directories must already exist. Only plain data crosses the thread boundary.
 */

/** One small file to write; `absolute` has been checked by the main thread (parents are real directories). */
export interface BatchEntry {
  index: number;
  absolute: string;
  mode: number;
  offset: number;
  compressedSize: number;
  size: number;
  crc32: number;
  method: number;
  dataLimit: number;
}

export interface BatchFailure extends EntryProblem {
  index: number;
  /** The problem is a file-system error writing `absolute` (the text is the error). */
  writeError: boolean;
}

export interface BatchResult {
  /** Entries whose file now exists (complete, or partly written when `failure` names it). */
  created: number[];
  /** Entries whose name was taken (an earlier layer, or content that was already there): left to the caller. */
  collisions: number[];
  /** The first failure; the batch stops there. */
  failure?: BatchFailure;
}

export function extractBatch(reader: SyncWindowReader, entries: readonly BatchEntry[], umask: number): BatchResult {
  const result: BatchResult = { created: [], collisions: [] };
  for (const entry of entries) {
    const data = readVerified(reader, entry);
    if (!(data instanceof Uint8Array)) {
      result.failure = { index: entry.index, writeError: false, ...data };
      return result;
    }
    let fd: number;
    try {
      fd = fs.openSync(entry.absolute, CREATE_EXCLUSIVE, entry.mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        result.collisions.push(entry.index);
        continue;
      }
      result.failure = writeFailure(entry, err);
      return result;
    }
    result.created.push(entry.index);
    try {
      for (let offset = 0; offset < data.length;) offset += fs.writeSync(fd, data, offset, data.length - offset);
      if ((entry.mode & umask) !== 0) fs.fchmodSync(fd, entry.mode);
    } catch (err) {
      fs.closeSync(fd);
      result.failure = writeFailure(entry, err);
      return result;
    }
    try {
      fs.closeSync(fd);
    } catch (err) {
      result.failure = writeFailure(entry, err);
      return result;
    }
  }
  return result;
}

function readVerified(reader: SyncWindowReader, entry: BatchEntry): Uint8Array | EntryProblem {
  const header = reader.read(entry.offset, LOCAL_HEADER_FIXED_BYTES);
  if (header === undefined) return cutShort();
  const start = dataStartFrom(header, entry.offset, entry.compressedSize, entry.dataLimit);
  if (typeof start !== 'number') return start;
  const raw = reader.read(start, entry.compressedSize);
  if (raw === undefined) return cutShort();
  let data: Uint8Array = raw;
  if (entry.method === DEFLATED && raw.length > 0) {
    try {
      data = zlib.inflateRawSync(raw, inflateOptions(entry.size));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooManyBytes(entry.size, entry.size + 1);
      return corruptData((err as Error).message);
    }
  }
  if (data.length > entry.size) return tooManyBytes(entry.size, data.length);
  if (data.length < entry.size) return tooFewBytes(entry.size, data.length);
  return crcMismatch(entry.crc32, zlib.crc32(data)) ?? data;
}

function writeFailure(entry: BatchEntry, err: unknown): BatchFailure {
  return { index: entry.index, kind: 'write-failed', problem: errnoText(err), writeError: true };
}
