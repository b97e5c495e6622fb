import * as fs from 'node:fs';
import * as yauzl from 'yauzl';

/**
 * One central directory record: the fields extraction uses, with the name already decoded. Plain numbers and one
 * string per entry, so 100,000 entries stay a few tens of MB (yauzl's Entry objects carry several Buffers each,
 * and it reads each record with two asynchronous reads).
 */
export interface CentralEntry {
  name: string;
  versionMadeBy: number;
  generalPurposeBitFlag: number;
  compressionMethod: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  externalFileAttributes: number;
  relativeOffsetOfLocalHeader: number;
}

const RECORD_SIGNATURE = 0x02014b50;
const RECORD_FIXED_BYTES = 46;
const STRONG_ENCRYPTION_FLAG = 0x40;
const UTF8_FLAG = 0x800;
const ZIP64_EXTRA_FIELD = 0x0001;
const UNICODE_PATH_EXTRA_FIELD = 0x7075;
const ZIP64_MARK = 0xffffffff;

/** The central directory is read in chunks of this size (a record is at most 46 + 3 x 65,535 bytes). */
const CHUNK_BYTES = 1 << 20;

/** Sequential reads of the central directory into one reused buffer; callers index into `buffer` directly. */
class Cursor {
  buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  /** File position of buffer[0]. */
  start = 0;
  length = 0;

  constructor(private readonly fd: number, private readonly fileSize: number) {}

  /** Makes [position, position + length) available; returns its index in `buffer`. */
  ensure(position: number, length: number): number {
    if (position >= this.start && position + length <= this.start + this.length) return position - this.start;
    if (position + length > this.fileSize) throw new Error('unexpected EOF');
    const wanted = Math.min(Math.max(length, CHUNK_BYTES), this.fileSize - position);
    if (wanted > this.buffer.length) this.buffer = Buffer.allocUnsafe(wanted);
    for (let filled = 0; filled < wanted;) {
      const bytesRead = fs.readSync(this.fd, this.buffer, filled, wanted - filled, position + filled);
      if (bytesRead === 0) throw new Error('unexpected EOF');
      filled += bytesRead;
    }
    this.start = position;
    this.length = wanted;
    return 0;
  }
}

/**
 * Reads `entryCount` records from `offset` (where yauzl found the central directory), with synchronous reads of
 * 1 MiB at a time, indexing into the buffer without a view per field. Refuses what yauzl refuses, with yauzl's
 * words (the caller maps them to its messages): a bad signature, strong encryption, extra fields that overrun their
 * record, a zip64 field missing a size.
 */
export function readCentralDirectory(fd: number, fileSize: number, offset: number, entryCount: number): CentralEntry[] {
  const cursor = new Cursor(fd, fileSize);
  const entries: CentralEntry[] = [];
  let position = offset;
  for (let i = 0; i < entryCount; i++) {
    let at = cursor.ensure(position, RECORD_FIXED_BYTES);
    let b = cursor.buffer;
    const signature = b.readUInt32LE(at);
    if (signature !== RECORD_SIGNATURE) throw new Error(`invalid central directory file header signature: 0x${signature.toString(16)}`);
    const flags = b.readUInt16LE(at + 8);
    if ((flags & STRONG_ENCRYPTION_FLAG) !== 0) throw new Error('strong encryption is not supported');
    const nameLength = b.readUInt16LE(at + 28);
    const extraLength = b.readUInt16LE(at + 30);
    const commentLength = b.readUInt16LE(at + 32);
    const entry: CentralEntry = {
      name: '',
      versionMadeBy: b.readUInt16LE(at + 4),
      generalPurposeBitFlag: flags,
      compressionMethod: b.readUInt16LE(at + 10),
      crc32: b.readUInt32LE(at + 16),
      compressedSize: b.readUInt32LE(at + 20),
      uncompressedSize: b.readUInt32LE(at + 24),
      externalFileAttributes: b.readUInt32LE(at + 38),
      relativeOffsetOfLocalHeader: b.readUInt32LE(at + 42),
    };
    const recordLength = RECORD_FIXED_BYTES + nameLength + extraLength + commentLength;
    at = cursor.ensure(position, recordLength);
    b = cursor.buffer;
    const nameStart = at + RECORD_FIXED_BYTES;
    const extraStart = nameStart + nameLength;
    const unicodePath = extraLength > 0 && applyExtraFields(entry, b.subarray(extraStart, extraStart + extraLength));
    entry.name = unicodePath || ((flags & UTF8_FLAG) === 0 && !asciiOnly(b, nameStart, extraStart))
      ? decodeOtherName(flags, b.subarray(nameStart, extraStart), b.subarray(extraStart, extraStart + extraLength))
      : b.toString('utf8', nameStart, extraStart);
    position += recordLength;
    entries.push(entry);
  }
  return entries;
}

function asciiOnly(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] > 0x7f) return false;
  return true;
}

/** Walks the extra fields (as yauzl does, refusing one that overruns), applies zip64 sizes; true when a Unicode path field is present. */
function applyExtraFields(entry: CentralEntry, extra: Buffer): boolean {
  let unicodePath = false;
  let zip64Seen = false;
  for (let i = 0; i < extra.length - 3;) {
    const id = extra.readUInt16LE(i);
    const dataStart = i + 4;
    const dataEnd = dataStart + extra.readUInt16LE(i + 2);
    if (dataEnd > extra.length) throw new Error('extra field length exceeds extra field buffer size');
    if (id === UNICODE_PATH_EXTRA_FIELD) unicodePath = true;
    if (id === ZIP64_EXTRA_FIELD && !zip64Seen) {
      zip64Seen = true;
      applyZip64(entry, extra.subarray(dataStart, dataEnd));
    }
    i = dataEnd;
  }
  return unicodePath;
}

function applyZip64(entry: CentralEntry, data: Buffer): void {
  let index = 0;
  const next = (what: string): number => {
    if (index + 8 > data.length) throw new Error(`zip64 extended information extra field does not include ${what}`);
    const value = data.readUInt32LE(index) + data.readUInt32LE(index + 4) * 0x100000000;
    index += 8;
    return value;
  };
  if (entry.uncompressedSize === ZIP64_MARK) entry.uncompressedSize = next('uncompressed size');
  if (entry.compressedSize === ZIP64_MARK) entry.compressedSize = next('compressed size');
  if (entry.relativeOffsetOfLocalHeader === ZIP64_MARK) entry.relativeOffsetOfLocalHeader = next('relative header offset');
}

/**
 * A name that is neither flagged UTF-8 nor plain ASCII, or that has a Unicode path field: yauzl's decoding (CP437,
 * or the field's UTF-8 when it matches the name). Plain names are decoded as UTF-8 directly, without yauzl.
 */
function decodeOtherName(flags: number, raw: Buffer, extra: Buffer): string {
  // Copies: the window the views point into is reused by the next read.
  const extraFields: Array<{ id: number; data: Buffer }> = [];
  for (let i = 0; i < extra.length - 3;) {
    const dataEnd = i + 4 + extra.readUInt16LE(i + 2);
    extraFields.push({ id: extra.readUInt16LE(i), data: Buffer.from(extra.subarray(i + 4, dataEnd)) });
    i = dataEnd;
  }
  return yauzl.getFileNameLowLevel(flags, Buffer.from(raw), extraFields, true);
}
